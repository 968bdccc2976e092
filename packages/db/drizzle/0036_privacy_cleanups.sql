CREATE TABLE "privacy_cleanups" (
	"tenant_id" uuid NOT NULL,
	"instance_id" uuid NOT NULL,
	"estate_id" uuid NOT NULL,
	"workflow_key" text NOT NULL,
	"serial" text NOT NULL,
	"ended_at" timestamp with time zone NOT NULL,
	"retention_days" integer NOT NULL,
	"cleaned_at" timestamp with time zone NOT NULL,
	"fields" jsonb NOT NULL,
	"events" integer NOT NULL,
	CONSTRAINT "privacy_cleanups_tenant_id_instance_id_pk" PRIMARY KEY("tenant_id","instance_id")
);

CREATE TABLE "login_throttle" (
	"scope" text NOT NULL,
	"key" text NOT NULL,
	"failures" integer DEFAULT 0 NOT NULL,
	"window_started_at" timestamp with time zone NOT NULL,
	"blocked_until" timestamp with time zone,
	"succeeded_at" timestamp with time zone,
	CONSTRAINT "login_throttle_scope_key_pk" PRIMARY KEY("scope","key")
);

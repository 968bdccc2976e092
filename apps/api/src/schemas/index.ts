/**
 * The API's answers as TypeScript types, derived from the same schemas the routes declare, validate
 * and publish in /api/openapi.json (json-schema-to-ts). The web client imports these: renaming a
 * field in a route schema fails `pnpm typecheck` in apps/web.
 * @example import type { InstanceDetail } from '@estateflow/api/schemas';
 */
import type { FromSchema } from 'json-schema-to-ts';
import type * as auth from './auth.ts';
import type * as billing from './billing.ts';
import type * as bundles from './bundles.ts';
import type * as calendars from './calendars.ts';
import type * as cashier from './billing-cashier.ts';
import type * as common from './common.ts';
import type * as definitions from './definitions.ts';
import type * as financeReports from './finance-reports.ts';
import type * as estates from './estates.ts';
import type * as forms from './forms.ts';
import type * as instances from './instances.ts';
import type * as people from './people.ts';
import type * as processes from './processes.ts';
import type * as reports from './reports.ts';
import type * as residents from './residents.ts';
import type * as tasks from './tasks.ts';

export type Text = FromSchema<typeof common.text>;
export type ApiErrorBody = FromSchema<typeof common.apiError>;

export type Me = FromSchema<typeof auth.me>;
export type SessionList = FromSchema<typeof auth.sessionList>;
export type EstateList = FromSchema<typeof estates.estateList>;
export type UnitPage = FromSchema<typeof estates.units>;
export type UnitFile = FromSchema<typeof estates.unitFile>;
export type UnitOptions = FromSchema<typeof estates.unitOptions>;
export type Members = FromSchema<typeof estates.members>;

export type Person = FromSchema<typeof people.person>;
export type PersonList = FromSchema<typeof people.personList>;
export type PersonalData = FromSchema<typeof people.personalData>;
export type StaffCreated = FromSchema<typeof people.staffCreated>;
export type OpenTaskList = FromSchema<typeof people.openTaskList>;
export type Deactivated = FromSchema<typeof people.deactivated>;
export type ResetCode = FromSchema<typeof people.resetCode>;
export type Erased = FromSchema<typeof people.erased>;
/** A role of the company's catalogue as `GET /api/roles` answers it. */
export type CatalogueRole = FromSchema<typeof people.role>;
export type RoleList = FromSchema<typeof people.roleList>;

export type Instance = FromSchema<typeof instances.instanceSummary>;
export type InstanceList = FromSchema<typeof instances.instanceList>;
export type InstanceDetail = FromSchema<typeof instances.instanceDetail>;
export type Clock = FromSchema<typeof instances.clock>;
export type Action = FromSchema<typeof instances.action>;
export type HistoryEntry = FromSchema<typeof instances.historyEntry>;
export type History = FromSchema<typeof instances.history>;

export type Task = FromSchema<typeof tasks.task>;
export type TaskList = FromSchema<typeof tasks.taskList>;
/** How many open tasks wait for the caller, and how many are overdue (`GET /api/tasks/counts`). */
export type TaskCounts = FromSchema<typeof tasks.taskCounts>;

export type DefinitionList = FromSchema<typeof definitions.definitionList>;
export type VersionSummary = FromSchema<typeof definitions.versionSummary>;
export type VersionList = FromSchema<typeof definitions.versionList>;
export type Published = FromSchema<typeof definitions.published>;
export type Rearm = FromSchema<typeof definitions.rearm>;
export type Validation = FromSchema<typeof definitions.validation>;
export type Draft = FromSchema<typeof definitions.draft>;
export type DraftSaved = FromSchema<typeof definitions.draftSaved>;
export type RolledBack = FromSchema<typeof definitions.rolledBack>;
export type PublishRules = FromSchema<typeof definitions.publishRules>;
export type EstatesReview = FromSchema<typeof definitions.estatesReview>;
export type EstatesPublished = FromSchema<typeof definitions.estatesPublished>;
/** A draft SLA policy or calendar replayed over the estate's last 90 days next to the published one (`POST /api/definitions/what-if`). */
export type WhatIf = FromSchema<typeof definitions.whatIf>;
export type VersionWithDocument = FromSchema<typeof definitions.versionWithDocument>;
/** The words of a workflow version as a role reads them (`definitionWords` makes them; every screen reads them). */
export type Words = FromSchema<typeof definitions.workflowWords>;
export type FieldWords = FromSchema<typeof definitions.fieldWords>;

export type Rendered = FromSchema<typeof forms.rendered>;
export type RenderModel = FromSchema<typeof forms.renderModel>;

export type ProcessList = FromSchema<typeof processes.processList>;
export type Process = FromSchema<typeof processes.process>;
export type StartForm = FromSchema<typeof processes.startForm>;
export type Notice = FromSchema<typeof reports.notice>;
export type DefectStatistics = FromSchema<typeof reports.defectStatistics>;
export type NoticeList = FromSchema<typeof reports.noticeList>;
export type SlaReport = FromSchema<typeof reports.slaReport>;

export type Bill = FromSchema<typeof billing.bill>;
export type RunOptions = FromSchema<typeof billing.runOptions>;
export type RunPreview = FromSchema<typeof billing.runPreview>;
export type RunResult = FromSchema<typeof billing.run>;
export type RunJob = FromSchema<typeof billing.runJob>;
export type PaymentPreview = FromSchema<typeof billing.paymentPreview>;
export type Arrears = FromSchema<typeof billing.arrears>;
export type CashierDay = FromSchema<typeof cashier.cashierDay>;
export type CashierClose = FromSchema<typeof cashier.cashierClosed>;
export type Takings = FromSchema<typeof cashier.takings>;
export type Reconciliation = FromSchema<typeof cashier.reconciliation>;
export type Waiver = FromSchema<typeof cashier.waiver>;
export type ArrearsByBuilding = FromSchema<typeof cashier.arrearsByBuilding>;
export type ArrearsOfBuilding = FromSchema<typeof cashier.arrearsOfBuilding>;
export type Deposit = FromSchema<typeof cashier.deposit>;
export type DepositList = FromSchema<typeof cashier.depositList>;

export type ResidentLink = FromSchema<typeof residents.residentLink>;
export type LinkCode = FromSchema<typeof residents.linkCode>;
export type ResidentAccount = FromSchema<typeof residents.residentAccount>;

export type FeeMonthReport = FromSchema<typeof financeReports.feeMonthReport>;
export type IncomeSpendingReport = FromSchema<typeof financeReports.incomeSpendingReport>;
export type SpendingList = FromSchema<typeof financeReports.spendingList>;
export type SpendingEntry = FromSchema<typeof financeReports.spendingEntry>;

/** The template bundles of the catalogue, as the bundles page lists them. */
export type BundleCatalogue = FromSchema<typeof bundles.catalogue>;

export type Estate = FromSchema<typeof estates.estate>;
export type Impact = FromSchema<typeof definitions.impact>;
export type EventFigures = FromSchema<typeof instances.eventFigures>;
export type AccountabilityReport = FromSchema<typeof reports.accountabilityReport>;
export type BillList = FromSchema<typeof billing.billList>;
export type ServiceItems = FromSchema<typeof billing.serviceItems>;
export type FeePublished = FromSchema<typeof billing.feePublished>;
export type WaiverList = FromSchema<typeof cashier.waiverList>;
export type ResidentLinkList = FromSchema<typeof residents.residentLinkList>;
export type ResidentAccountList = FromSchema<typeof residents.residentAccountList>;
export type Linked = FromSchema<typeof residents.linked>;
export type Verified = FromSchema<typeof residents.verified>;
export type MovedOut = FromSchema<typeof residents.movedOut>;
export type CalendarList = FromSchema<typeof calendars.calendarList>;
/** One calendar as `GET /api/calendars/{key}` answers it. */
export type CalendarAnswer = FromSchema<typeof calendars.calendar>;
export type CalendarPublished = FromSchema<typeof calendars.calendarPublished>;
export type UnitProfile = FromSchema<typeof billing.unitProfile>;
export type BundleInstalled = FromSchema<typeof bundles.installed>;
export type BillingDocuments = FromSchema<typeof billing.billingDocuments>;

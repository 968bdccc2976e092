export * from './tenancy.ts';
export * from './auth.ts';
export * from './definitions.ts';
export * from './instances.ts';
export * from './audit.ts';
export * from './billing.ts';
export * from './attachments.ts';
export * from './login-throttle.ts';

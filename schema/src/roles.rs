//! Role names with a platform-wide meaning.

/// Operates the platform itself: creates and lists tenants. Carried only in
/// tokens issued by the platform, never assigned inside a tenant.
pub const PLATFORM_ADMIN: &str = "platform_admin";
/// Operates billing for the platform: the plan catalogue, and the
/// subscriptions, invoices, credits and payments of every tenant; nothing
/// else of the platform's. Like `platform_admin`, carried only in tokens
/// issued by the platform, never by an API key.
pub const BILLING_ADMIN: &str = "billing_admin";

/// The platform's roles: carried only in tokens the platform issues, with
/// no user row behind them in any tenant.
pub const PLATFORM_ROLES: [&str; 2] = [PLATFORM_ADMIN, BILLING_ADMIN];
/// Administers one tenant.
pub const TENANT_ADMIN: &str = "tenant_admin";
/// A clinician (or teacher) working with persons' data.
pub const CLINICIAN: &str = "clinician";
/// Staff handling day-to-day operations.
pub const STAFF: &str = "staff";
/// A patient (or learner): acts on their own data only.
pub const PATIENT: &str = "patient";
/// An integration partner, usually behind an API key.
pub const PARTNER: &str = "partner";
/// Reads the audit log, changes nothing.
pub const AUDITOR: &str = "auditor";

/// The roles every tenant gets when it is provisioned.
pub const DEFAULT_TENANT_ROLES: [&str; 6] = [TENANT_ADMIN, CLINICIAN, STAFF, PATIENT, PARTNER, AUDITOR];

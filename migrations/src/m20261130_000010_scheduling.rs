//! Scheduling: resources, services, date overrides, closures (time off and
//! holidays), appointments, their reservations and history. On Postgres
//! an exclusion constraint over (resource, seat, time range) of the
//! unreleased reservations makes a double booking impossible whatever the code does;
//! it uses only built-in range types, so no extension is needed.

use sea_orm_migration::{prelude::*, schema::*, sea_orm::DbBackend};

use crate::m20261122_000001_tenancy::{index, unique_index};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The constraint that refuses overlapping reservations of one seat.
const NO_DOUBLE_BOOKING: &str = "ALTER TABLE appointment_reservations \
    ADD CONSTRAINT ex_appointment_reservations_no_overlap EXCLUDE USING gist (\
    int8range(lock_key, lock_key, '[]') WITH &&, \
    int4range(seat, seat, '[]') WITH &&, \
    tstzrange(starts_at, ends_at, '[)') WITH &&) WHERE (NOT released)";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(SchedulingResources::Table)
                .col(pk_uuid(SchedulingResources::Id))
                .col(uuid(SchedulingResources::TenantId))
                .col(string(SchedulingResources::Kind))
                .col(string(SchedulingResources::Category))
                .col(string(SchedulingResources::Name))
                .col(uuid_null(SchedulingResources::UserId))
                .col(integer(SchedulingResources::Capacity))
                .col(string(SchedulingResources::TimeZone))
                .col(text(SchedulingResources::WeeklyHours))
                .col(boolean(SchedulingResources::Active))
                .col(big_integer(SchedulingResources::LockKey))
                .col(timestamp_with_time_zone(SchedulingResources::CreatedAt))
                .to_owned(),
        )
        .await?;
        unique_index(
            m,
            "ux_scheduling_resources_lock_key",
            SchedulingResources::Table,
            &[SchedulingResources::LockKey],
        )
        .await?;
        index(
            m,
            "ix_scheduling_resources_tenant_id_kind",
            SchedulingResources::Table,
            &[SchedulingResources::TenantId, SchedulingResources::Kind],
        )
        .await?;
        index(
            m,
            "ix_scheduling_resources_tenant_id_user_id",
            SchedulingResources::Table,
            &[SchedulingResources::TenantId, SchedulingResources::UserId],
        )
        .await?;

        m.create_table(
            Table::create()
                .table(SchedulingServices::Table)
                .col(pk_uuid(SchedulingServices::Id))
                .col(uuid(SchedulingServices::TenantId))
                .col(string(SchedulingServices::Name))
                .col(integer(SchedulingServices::DurationMinutes))
                .col(integer(SchedulingServices::BufferBeforeMinutes))
                .col(integer(SchedulingServices::BufferAfterMinutes))
                .col(integer(SchedulingServices::MinNoticeMinutes))
                .col(integer(SchedulingServices::BookingWindowDays))
                .col(integer(SchedulingServices::SlotStepMinutes))
                .col(integer(SchedulingServices::CancelNoticeMinutes))
                .col(text(SchedulingServices::Requirements))
                .col(text(SchedulingServices::ReminderOffsets))
                .col(boolean(SchedulingServices::RequiresApproval))
                .col(boolean(SchedulingServices::Active))
                .col(timestamp_with_time_zone(SchedulingServices::CreatedAt))
                .to_owned(),
        )
        .await?;
        index(
            m,
            "ix_scheduling_services_tenant_id",
            SchedulingServices::Table,
            &[SchedulingServices::TenantId],
        )
        .await?;

        m.create_table(
            Table::create()
                .table(SchedulingDateOverrides::Table)
                .col(pk_uuid(SchedulingDateOverrides::Id))
                .col(uuid(SchedulingDateOverrides::TenantId))
                .col(uuid(SchedulingDateOverrides::ResourceId))
                .col(date(SchedulingDateOverrides::Date))
                .col(text(SchedulingDateOverrides::Windows))
                .to_owned(),
        )
        .await?;
        unique_index(
            m,
            "ux_scheduling_date_overrides_resource_id_date",
            SchedulingDateOverrides::Table,
            &[SchedulingDateOverrides::ResourceId, SchedulingDateOverrides::Date],
        )
        .await?;

        m.create_table(
            Table::create()
                .table(SchedulingClosures::Table)
                .col(pk_uuid(SchedulingClosures::Id))
                .col(uuid(SchedulingClosures::TenantId))
                .col(uuid_null(SchedulingClosures::ResourceId))
                .col(timestamp_with_time_zone_null(SchedulingClosures::StartsAt))
                .col(timestamp_with_time_zone_null(SchedulingClosures::EndsAt))
                .col(date_null(SchedulingClosures::Date))
                .col(string(SchedulingClosures::Reason))
                .to_owned(),
        )
        .await?;
        index(
            m,
            "ix_scheduling_closures_tenant_id_resource_id",
            SchedulingClosures::Table,
            &[SchedulingClosures::TenantId, SchedulingClosures::ResourceId],
        )
        .await?;

        m.create_table(
            Table::create()
                .table(Appointments::Table)
                .col(pk_uuid(Appointments::Id))
                .col(uuid(Appointments::TenantId))
                .col(uuid(Appointments::ServiceId))
                .col(uuid(Appointments::PatientId))
                .col(uuid(Appointments::BookedBy))
                .col(string(Appointments::Status))
                .col(timestamp_with_time_zone(Appointments::StartsAt))
                .col(timestamp_with_time_zone(Appointments::EndsAt))
                .col(string(Appointments::TimeZone))
                .col(timestamp_with_time_zone_null(Appointments::HoldExpiresAt))
                .col(string_null(Appointments::IdempotencyKey))
                .col(text_null(Appointments::Notes))
                .col(text_null(Appointments::CancelReason))
                .col(timestamp_with_time_zone(Appointments::CreatedAt))
                .col(timestamp_with_time_zone(Appointments::UpdatedAt))
                .to_owned(),
        )
        .await?;
        unique_index(
            m,
            "ux_appointments_tenant_id_booked_by_idempotency_key",
            Appointments::Table,
            &[Appointments::TenantId, Appointments::BookedBy, Appointments::IdempotencyKey],
        )
        .await?;
        index(
            m,
            "ix_appointments_tenant_id_patient_id_starts_at",
            Appointments::Table,
            &[Appointments::TenantId, Appointments::PatientId, Appointments::StartsAt],
        )
        .await?;
        index(
            m,
            "ix_appointments_tenant_id_starts_at",
            Appointments::Table,
            &[Appointments::TenantId, Appointments::StartsAt],
        )
        .await?;
        index(
            m,
            "ix_appointments_status_hold_expires_at",
            Appointments::Table,
            &[Appointments::Status, Appointments::HoldExpiresAt],
        )
        .await?;

        m.create_table(
            Table::create()
                .table(AppointmentReservations::Table)
                .col(pk_uuid(AppointmentReservations::Id))
                .col(uuid(AppointmentReservations::TenantId))
                .col(uuid(AppointmentReservations::AppointmentId))
                .col(uuid(AppointmentReservations::ResourceId))
                .col(big_integer(AppointmentReservations::LockKey))
                .col(integer(AppointmentReservations::Seat))
                .col(timestamp_with_time_zone(AppointmentReservations::StartsAt))
                .col(timestamp_with_time_zone(AppointmentReservations::EndsAt))
                .col(timestamp_with_time_zone_null(AppointmentReservations::HoldExpiresAt))
                .col(boolean(AppointmentReservations::Released))
                .to_owned(),
        )
        .await?;
        index(
            m,
            "ix_appointment_reservations_resource_id_starts_at",
            AppointmentReservations::Table,
            &[AppointmentReservations::ResourceId, AppointmentReservations::StartsAt],
        )
        .await?;
        index(
            m,
            "ix_appointment_reservations_appointment_id",
            AppointmentReservations::Table,
            &[AppointmentReservations::AppointmentId],
        )
        .await?;
        if m.get_database_backend() == DbBackend::Postgres {
            m.get_connection().execute_unprepared(NO_DOUBLE_BOOKING).await?;
        }

        m.create_table(
            Table::create()
                .table(AppointmentHistory::Table)
                .col(pk_uuid(AppointmentHistory::Id))
                .col(uuid(AppointmentHistory::TenantId))
                .col(uuid(AppointmentHistory::AppointmentId))
                .col(uuid_null(AppointmentHistory::ActorId))
                .col(string_null(AppointmentHistory::FromStatus))
                .col(string(AppointmentHistory::ToStatus))
                .col(timestamp_with_time_zone(AppointmentHistory::StartsAt))
                .col(timestamp_with_time_zone(AppointmentHistory::EndsAt))
                .col(text_null(AppointmentHistory::Reason))
                .col(timestamp_with_time_zone(AppointmentHistory::At))
                .to_owned(),
        )
        .await?;
        index(
            m,
            "ix_appointment_history_appointment_id",
            AppointmentHistory::Table,
            &[AppointmentHistory::AppointmentId],
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            AppointmentHistory::Table.into_iden(),
            AppointmentReservations::Table.into_iden(),
            Appointments::Table.into_iden(),
            SchedulingClosures::Table.into_iden(),
            SchedulingDateOverrides::Table.into_iden(),
            SchedulingServices::Table.into_iden(),
            SchedulingResources::Table.into_iden(),
        ] {
            m.drop_table(Table::drop().table(table).to_owned()).await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden, Clone, Copy)]
enum SchedulingResources {
    Table,
    Id,
    TenantId,
    Kind,
    Category,
    Name,
    UserId,
    Capacity,
    TimeZone,
    WeeklyHours,
    Active,
    LockKey,
    CreatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum SchedulingServices {
    Table,
    Id,
    TenantId,
    Name,
    DurationMinutes,
    BufferBeforeMinutes,
    BufferAfterMinutes,
    MinNoticeMinutes,
    BookingWindowDays,
    SlotStepMinutes,
    CancelNoticeMinutes,
    Requirements,
    ReminderOffsets,
    RequiresApproval,
    Active,
    CreatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum SchedulingDateOverrides {
    Table,
    Id,
    TenantId,
    ResourceId,
    Date,
    Windows,
}

#[derive(DeriveIden, Clone, Copy)]
enum SchedulingClosures {
    Table,
    Id,
    TenantId,
    ResourceId,
    StartsAt,
    EndsAt,
    Date,
    Reason,
}

#[derive(DeriveIden, Clone, Copy)]
enum Appointments {
    Table,
    Id,
    TenantId,
    ServiceId,
    PatientId,
    BookedBy,
    Status,
    StartsAt,
    EndsAt,
    TimeZone,
    HoldExpiresAt,
    IdempotencyKey,
    Notes,
    CancelReason,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum AppointmentReservations {
    Table,
    Id,
    TenantId,
    AppointmentId,
    ResourceId,
    LockKey,
    Seat,
    StartsAt,
    EndsAt,
    HoldExpiresAt,
    Released,
}

#[derive(DeriveIden, Clone, Copy)]
enum AppointmentHistory {
    Table,
    Id,
    TenantId,
    AppointmentId,
    ActorId,
    FromStatus,
    ToStatus,
    StartsAt,
    EndsAt,
    Reason,
    At,
}

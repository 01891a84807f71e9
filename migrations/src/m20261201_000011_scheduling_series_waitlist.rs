//! Scheduling: recurring series (each occurrence an appointment that
//! names its series), the reminders due before an appointment, the
//! waitlist, and an index that finds lapsed holds' reservations without
//! reading every reservation of a resource.

use sea_orm_migration::{prelude::*, schema::*};

use crate::m20261122_000001_tenancy::{index, unique_index};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(AppointmentSeries::Table)
                .col(pk_uuid(AppointmentSeries::Id))
                .col(uuid(AppointmentSeries::TenantId))
                .col(uuid(AppointmentSeries::ServiceId))
                .col(uuid(AppointmentSeries::PatientId))
                .col(uuid(AppointmentSeries::BookedBy))
                .col(text(AppointmentSeries::Rule))
                .col(string(AppointmentSeries::TimeZone))
                .col(string(AppointmentSeries::Mode))
                .col(string_null(AppointmentSeries::IdempotencyKey))
                .col(text(AppointmentSeries::Conflicts))
                .col(timestamp_with_time_zone(AppointmentSeries::CreatedAt))
                .to_owned(),
        )
        .await?;
        unique_index(
            m,
            "ux_appointment_series_tenant_id_booked_by_idempotency_key",
            AppointmentSeries::Table,
            &[AppointmentSeries::TenantId, AppointmentSeries::BookedBy, AppointmentSeries::IdempotencyKey],
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table(Appointments::Table)
                .add_column(uuid_null(Appointments::SeriesId))
                .to_owned(),
        )
        .await?;
        index(
            m,
            "ix_appointments_tenant_id_series_id",
            Appointments::Table,
            &[Appointments::TenantId, Appointments::SeriesId],
        )
        .await?;

        index(
            m,
            "ix_appointment_reservations_hold_expires_at",
            AppointmentReservations::Table,
            &[AppointmentReservations::HoldExpiresAt],
        )
        .await?;

        m.create_table(
            Table::create()
                .table(AppointmentReminders::Table)
                .col(pk_uuid(AppointmentReminders::Id))
                .col(uuid(AppointmentReminders::TenantId))
                .col(uuid(AppointmentReminders::AppointmentId))
                .col(integer(AppointmentReminders::OffsetMinutes))
                .col(timestamp_with_time_zone(AppointmentReminders::DueAt))
                .col(boolean(AppointmentReminders::Sent))
                .to_owned(),
        )
        .await?;
        index(
            m,
            "ix_appointment_reminders_sent_due_at",
            AppointmentReminders::Table,
            &[AppointmentReminders::Sent, AppointmentReminders::DueAt],
        )
        .await?;
        index(
            m,
            "ix_appointment_reminders_appointment_id",
            AppointmentReminders::Table,
            &[AppointmentReminders::AppointmentId],
        )
        .await?;

        m.create_table(
            Table::create()
                .table(WaitlistEntries::Table)
                .col(pk_uuid(WaitlistEntries::Id))
                .col(uuid(WaitlistEntries::TenantId))
                .col(uuid(WaitlistEntries::ServiceId))
                .col(uuid(WaitlistEntries::PatientId))
                .col(uuid(WaitlistEntries::AddedBy))
                .col(timestamp_with_time_zone(WaitlistEntries::FromAt))
                .col(timestamp_with_time_zone(WaitlistEntries::UntilAt))
                .col(string(WaitlistEntries::TimeZone))
                .col(string(WaitlistEntries::Status))
                .col(uuid_null(WaitlistEntries::OfferId))
                .col(timestamp_with_time_zone(WaitlistEntries::CreatedAt))
                .col(timestamp_with_time_zone(WaitlistEntries::UpdatedAt))
                .to_owned(),
        )
        .await?;
        index(
            m,
            "ix_waitlist_entries_tenant_id_service_id_status",
            WaitlistEntries::Table,
            &[WaitlistEntries::TenantId, WaitlistEntries::ServiceId, WaitlistEntries::Status],
        )
        .await?;
        index(m, "ix_waitlist_entries_offer_id", WaitlistEntries::Table, &[WaitlistEntries::OfferId]).await?;
        index(
            m,
            "ix_waitlist_entries_tenant_id_patient_id",
            WaitlistEntries::Table,
            &[WaitlistEntries::TenantId, WaitlistEntries::PatientId],
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(WaitlistEntries::Table).to_owned()).await?;
        m.drop_index(Index::drop().name("ix_appointment_reservations_hold_expires_at").to_owned()).await?;
        m.drop_table(Table::drop().table(AppointmentReminders::Table).to_owned()).await?;
        m.drop_index(Index::drop().name("ix_appointments_tenant_id_series_id").to_owned()).await?;
        m.alter_table(
            Table::alter().table(Appointments::Table).drop_column(Appointments::SeriesId).to_owned(),
        )
        .await?;
        m.drop_table(Table::drop().table(AppointmentSeries::Table).to_owned()).await
    }
}

#[derive(DeriveIden, Clone, Copy)]
enum AppointmentSeries {
    Table,
    Id,
    TenantId,
    ServiceId,
    PatientId,
    BookedBy,
    Rule,
    TimeZone,
    Mode,
    IdempotencyKey,
    Conflicts,
    CreatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum Appointments {
    Table,
    TenantId,
    SeriesId,
}

#[derive(DeriveIden, Clone, Copy)]
enum AppointmentReminders {
    Table,
    Id,
    TenantId,
    AppointmentId,
    OffsetMinutes,
    DueAt,
    Sent,
}

#[derive(DeriveIden, Clone, Copy)]
enum WaitlistEntries {
    Table,
    Id,
    TenantId,
    ServiceId,
    PatientId,
    AddedBy,
    FromAt,
    UntilAt,
    TimeZone,
    Status,
    OfferId,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum AppointmentReservations {
    Table,
    HoldExpiresAt,
}

//! Offline sync: the event types products register (a JSON Schema per
//! version), enrolled devices, which people each health worker records
//! for, accepted events (unique per device and client event id), the
//! current state of last-writer-wins records, and the quarantine of events
//! that could not be accepted. Every table is under row-level security.

use sea_orm_migration::{
    prelude::*,
    schema::*,
    sea_orm::{ConnectionTrait, DbBackend},
};

use crate::{
    m20261122_000001_tenancy::{index, unique_index},
    m20261207_000023_row_level_security::protect,
};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The tables, for row-level security.
const TABLES: [&str; 6] = [
    "sync_event_types",
    "sync_devices",
    "sync_assignments",
    "sync_events",
    "sync_records",
    "sync_quarantine",
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        use SyncEventTypes as T;
        m.create_table(
            Table::create()
                .table(T::Table)
                .col(pk_uuid(T::Id))
                .col(uuid(T::TenantId))
                .col(string(T::EventType))
                .col(integer(T::SchemaVersion))
                .col(string(T::Stream))
                .col(text(T::Schema))
                .col(string_null(T::RecordKey))
                .col(string_null(T::SubjectKey))
                .col(uuid(T::RegisteredBy))
                .col(timestamp_with_time_zone(T::RegisteredAt))
                .to_owned(),
        )
        .await?;
        unique_index(
            m,
            "ux_sync_event_types_tenant_type_version",
            T::Table,
            &[T::TenantId, T::EventType, T::SchemaVersion],
        )
        .await?;

        use SyncDevices as D;
        m.create_table(
            Table::create()
                .table(D::Table)
                .col(pk_uuid(D::Id))
                .col(uuid(D::TenantId))
                .col(uuid(D::UserId))
                .col(string(D::Name))
                .col(uuid(D::EnrolledBy))
                .col(timestamp_with_time_zone(D::EnrolledAt))
                .col(timestamp_with_time_zone_null(D::RevokedAt))
                .col(timestamp_with_time_zone_null(D::LastBatchAt))
                .col(big_integer_null(D::ClockSkewMs))
                .col(string_null(D::LastCursor))
                .col(timestamp_with_time_zone_null(D::WindowStartedAt))
                .col(integer(D::WindowBatches).default(0))
                .to_owned(),
        )
        .await?;
        index(m, "ix_sync_devices_tenant_id_user_id", D::Table, &[D::TenantId, D::UserId]).await?;

        use SyncAssignments as A;
        m.create_table(
            Table::create()
                .table(A::Table)
                .col(pk_uuid(A::Id))
                .col(uuid(A::TenantId))
                .col(uuid(A::WorkerId))
                .col(uuid(A::SubjectId))
                .col(uuid(A::AssignedBy))
                .col(timestamp_with_time_zone(A::AssignedAt))
                .to_owned(),
        )
        .await?;
        unique_index(
            m,
            "ux_sync_assignments_tenant_worker_subject",
            A::Table,
            &[A::TenantId, A::WorkerId, A::SubjectId],
        )
        .await?;
        index(m, "ix_sync_assignments_tenant_id_subject_id", A::Table, &[A::TenantId, A::SubjectId]).await?;

        use SyncEvents as E;
        m.create_table(
            Table::create()
                .table(E::Table)
                .col(pk_uuid(E::Id))
                .col(uuid(E::TenantId))
                .col(uuid(E::DeviceId))
                .col(string(E::ClientEventId))
                .col(string(E::EventType))
                .col(integer(E::SchemaVersion))
                .col(string(E::Stream))
                .col(string_null(E::RecordId))
                .col(uuid_null(E::SubjectId))
                .col(uuid(E::RecordedBy))
                .col(timestamp_with_time_zone(E::ClientTime))
                .col(timestamp_with_time_zone(E::ServerTime))
                .col(big_integer_null(E::ClockSkewMs))
                .col(text(E::Payload))
                .col(boolean(E::Superseded).default(false))
                .to_owned(),
        )
        .await?;
        unique_index(
            m,
            "ux_sync_events_tenant_device_client_event",
            E::Table,
            &[E::TenantId, E::DeviceId, E::ClientEventId],
        )
        .await?;
        index(m, "ix_sync_events_tenant_id_subject_id", E::Table, &[E::TenantId, E::SubjectId]).await?;
        index(m, "ix_sync_events_tenant_id_server_time", E::Table, &[E::TenantId, E::ServerTime]).await?;

        use SyncRecords as R;
        m.create_table(
            Table::create()
                .table(R::Table)
                .col(pk_uuid(R::Id))
                .col(uuid(R::TenantId))
                .col(string(R::RecordType))
                .col(string(R::RecordId))
                .col(uuid(R::EventId))
                .col(uuid(R::DeviceId))
                .col(uuid_null(R::SubjectId))
                .col(timestamp_with_time_zone(R::ClientTime))
                .col(text(R::Payload))
                .col(timestamp_with_time_zone(R::UpdatedAt))
                .to_owned(),
        )
        .await?;
        unique_index(
            m,
            "ux_sync_records_tenant_type_record",
            R::Table,
            &[R::TenantId, R::RecordType, R::RecordId],
        )
        .await?;

        use SyncQuarantine as Q;
        m.create_table(
            Table::create()
                .table(Q::Table)
                .col(pk_uuid(Q::Id))
                .col(uuid(Q::TenantId))
                .col(string(Q::DeviceId))
                .col(string(Q::ClientEventId))
                .col(string(Q::EventType))
                .col(integer(Q::SchemaVersion))
                .col(timestamp_with_time_zone(Q::ClientTime))
                .col(uuid(Q::RecordedBy))
                .col(uuid_null(Q::SubjectId))
                .col(text(Q::Payload))
                .col(string(Q::Reason))
                .col(text(Q::Detail))
                .col(string(Q::Status))
                .col(timestamp_with_time_zone(Q::ReceivedAt))
                .col(uuid_null(Q::ResolvedBy))
                .col(timestamp_with_time_zone_null(Q::ResolvedAt))
                .col(uuid_null(Q::EventId))
                .to_owned(),
        )
        .await?;
        unique_index(
            m,
            "ux_sync_quarantine_tenant_device_client_event",
            Q::Table,
            &[Q::TenantId, Q::DeviceId, Q::ClientEventId],
        )
        .await?;
        index(m, "ix_sync_quarantine_tenant_id_status", Q::Table, &[Q::TenantId, Q::Status]).await?;

        let db = m.get_connection();
        if db.get_database_backend() == DbBackend::Postgres {
            for table in TABLES {
                protect(db, table, "tenant_id = backbone_tenant()").await?;
            }
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for table in TABLES.iter().rev() {
            m.drop_table(Table::drop().table(Alias::new(*table)).to_owned()).await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden, Clone, Copy)]
enum SyncEventTypes {
    Table,
    Id,
    TenantId,
    EventType,
    SchemaVersion,
    Stream,
    Schema,
    RecordKey,
    SubjectKey,
    RegisteredBy,
    RegisteredAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum SyncDevices {
    Table,
    Id,
    TenantId,
    UserId,
    Name,
    EnrolledBy,
    EnrolledAt,
    RevokedAt,
    LastBatchAt,
    ClockSkewMs,
    LastCursor,
    WindowStartedAt,
    WindowBatches,
}

#[derive(DeriveIden, Clone, Copy)]
enum SyncAssignments {
    Table,
    Id,
    TenantId,
    WorkerId,
    SubjectId,
    AssignedBy,
    AssignedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum SyncEvents {
    Table,
    Id,
    TenantId,
    DeviceId,
    ClientEventId,
    EventType,
    SchemaVersion,
    Stream,
    RecordId,
    SubjectId,
    RecordedBy,
    ClientTime,
    ServerTime,
    ClockSkewMs,
    Payload,
    Superseded,
}

#[derive(DeriveIden, Clone, Copy)]
enum SyncRecords {
    Table,
    Id,
    TenantId,
    RecordType,
    RecordId,
    EventId,
    DeviceId,
    SubjectId,
    ClientTime,
    Payload,
    UpdatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum SyncQuarantine {
    Table,
    Id,
    TenantId,
    DeviceId,
    ClientEventId,
    EventType,
    SchemaVersion,
    ClientTime,
    RecordedBy,
    SubjectId,
    Payload,
    Reason,
    Detail,
    Status,
    ReceivedAt,
    ResolvedBy,
    ResolvedAt,
    EventId,
}

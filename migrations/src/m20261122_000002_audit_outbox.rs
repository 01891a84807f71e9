//! The hash-chained audit log and the transactional outbox.

use sea_orm_migration::{prelude::*, schema::*};

use crate::m20261122_000001_tenancy::unique_index;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // No foreign key to tenants: the audit log must outlive anything it
        // describes, and a row is never updated or deleted by the application.
        m.create_table(
            Table::create()
                .table(AuditEvents::Table)
                .col(pk_uuid(AuditEvents::Id))
                .col(uuid(AuditEvents::TenantId))
                .col(big_integer(AuditEvents::Seq))
                .col(uuid_null(AuditEvents::ActorId))
                .col(string_len(AuditEvents::EventType, 100))
                .col(string_len(AuditEvents::ResourceType, 64))
                .col(string_len(AuditEvents::ResourceId, 64))
                .col(text(AuditEvents::Data))
                .col(timestamp_with_time_zone(AuditEvents::OccurredAt))
                .col(string_len(AuditEvents::PrevHash, 64))
                .col(string_len(AuditEvents::Hash, 64))
                .to_owned(),
        )
        .await?;
        unique_index(
            m,
            "ux_audit_events_tenant_seq",
            AuditEvents::Table,
            &[AuditEvents::TenantId, AuditEvents::Seq],
        )
        .await?;

        m.create_table(
            Table::create()
                .table(Outbox::Table)
                .col(pk_uuid(Outbox::Id))
                .col(uuid(Outbox::TenantId))
                .col(string_len(Outbox::EventType, 100))
                .col(uuid_null(Outbox::Actor))
                .col(text(Outbox::Payload))
                .col(timestamp_with_time_zone(Outbox::OccurredAt))
                .col(timestamp_with_time_zone_null(Outbox::PublishedAt))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_outbox_unpublished")
                .table(Outbox::Table)
                .col(Outbox::PublishedAt)
                .col(Outbox::Id)
                .to_owned(),
        )
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(Outbox::Table).to_owned()).await?;
        m.drop_table(Table::drop().table(AuditEvents::Table).to_owned()).await
    }
}

#[derive(DeriveIden, Clone, Copy)]
enum AuditEvents {
    Table,
    Id,
    TenantId,
    Seq,
    ActorId,
    EventType,
    ResourceType,
    ResourceId,
    Data,
    OccurredAt,
    PrevHash,
    Hash,
}

#[derive(DeriveIden, Clone, Copy)]
enum Outbox {
    Table,
    Id,
    TenantId,
    EventType,
    Actor,
    Payload,
    OccurredAt,
    PublishedAt,
}

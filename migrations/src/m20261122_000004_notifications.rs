//! Notifications: inbox, preferences, settings, templates, endpoints, deliveries.

use sea_orm_migration::{prelude::*, schema::*};

use crate::m20261122_000001_tenancy::{index, unique_index};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(Notifications::Table)
                .col(pk_uuid(Notifications::Id))
                .col(uuid(Notifications::TenantId))
                .col(uuid(Notifications::UserId))
                .col(string(Notifications::Category))
                .col(boolean(Notifications::Critical))
                .col(string(Notifications::Title))
                .col(text(Notifications::Body))
                .col(text(Notifications::Data))
                .col(uuid(Notifications::SourceEventId))
                .col(timestamp_with_time_zone_null(Notifications::ReadAt))
                .col(timestamp_with_time_zone(Notifications::CreatedAt))
                .to_owned(),
        )
        .await?;
        unique_index(
            m,
            "ux_notifications_user_id_source_event_id",
            Notifications::Table,
            &[Notifications::UserId, Notifications::SourceEventId],
        )
        .await?;
        index(
            m,
            "ix_notifications_user_id_read_at",
            Notifications::Table,
            &[Notifications::UserId, Notifications::ReadAt],
        )
        .await?;
        m.create_table(
            Table::create()
                .table(NotificationPreferences::Table)
                .col(pk_uuid(NotificationPreferences::Id))
                .col(uuid(NotificationPreferences::TenantId))
                .col(uuid(NotificationPreferences::UserId))
                .col(string(NotificationPreferences::Category))
                .col(string(NotificationPreferences::Channel))
                .col(boolean(NotificationPreferences::Enabled))
                .to_owned(),
        )
        .await?;
        unique_index(
            m,
            "ux_notification_preferences_user_id_category_channel",
            NotificationPreferences::Table,
            &[
                NotificationPreferences::UserId,
                NotificationPreferences::Category,
                NotificationPreferences::Channel,
            ],
        )
        .await?;
        m.create_table(
            Table::create()
                .table(NotificationSettings::Table)
                .col(pk_uuid(NotificationSettings::UserId))
                .col(uuid(NotificationSettings::TenantId))
                .col(string_null(NotificationSettings::QuietStart))
                .col(string_null(NotificationSettings::QuietEnd))
                .col(string(NotificationSettings::TimeZone))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(NotificationTemplates::Table)
                .col(pk_uuid(NotificationTemplates::Id))
                .col(uuid(NotificationTemplates::TenantId))
                .col(string(NotificationTemplates::EventType))
                .col(string(NotificationTemplates::Channel))
                .col(string(NotificationTemplates::Subject))
                .col(text(NotificationTemplates::Body))
                .to_owned(),
        )
        .await?;
        unique_index(
            m,
            "ux_notification_templates_tenant_id_event_type_channel",
            NotificationTemplates::Table,
            &[
                NotificationTemplates::TenantId,
                NotificationTemplates::EventType,
                NotificationTemplates::Channel,
            ],
        )
        .await?;
        m.create_table(
            Table::create()
                .table(NotificationEndpoints::Table)
                .col(pk_uuid(NotificationEndpoints::Id))
                .col(uuid(NotificationEndpoints::TenantId))
                .col(uuid_null(NotificationEndpoints::UserId))
                .col(string(NotificationEndpoints::Channel))
                .col(string(NotificationEndpoints::Target))
                .col(string(NotificationEndpoints::Secret))
                .col(boolean(NotificationEndpoints::Active))
                .col(timestamp_with_time_zone(NotificationEndpoints::CreatedAt))
                .to_owned(),
        )
        .await?;
        index(
            m,
            "ix_notification_endpoints_tenant_id",
            NotificationEndpoints::Table,
            &[NotificationEndpoints::TenantId],
        )
        .await?;
        m.create_table(
            Table::create()
                .table(NotificationDeliveries::Table)
                .col(pk_uuid(NotificationDeliveries::Id))
                .col(uuid(NotificationDeliveries::TenantId))
                .col(uuid(NotificationDeliveries::NotificationId))
                .col(uuid(NotificationDeliveries::EndpointId))
                .col(string(NotificationDeliveries::Channel))
                .col(string(NotificationDeliveries::Status))
                .col(integer(NotificationDeliveries::Attempts))
                .col(timestamp_with_time_zone_null(NotificationDeliveries::NextAttemptAt))
                .col(text_null(NotificationDeliveries::LastError))
                .col(integer_null(NotificationDeliveries::LastStatusCode))
                .col(timestamp_with_time_zone(NotificationDeliveries::CreatedAt))
                .col(timestamp_with_time_zone_null(NotificationDeliveries::DeliveredAt))
                .to_owned(),
        )
        .await?;
        unique_index(
            m,
            "ux_notification_deliveries_notification_id_endpoint_id",
            NotificationDeliveries::Table,
            &[NotificationDeliveries::NotificationId, NotificationDeliveries::EndpointId],
        )
        .await?;
        index(
            m,
            "ix_notification_deliveries_status_next_attempt_at",
            NotificationDeliveries::Table,
            &[NotificationDeliveries::Status, NotificationDeliveries::NextAttemptAt],
        )
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(NotificationDeliveries::Table).to_owned()).await?;
        m.drop_table(Table::drop().table(NotificationEndpoints::Table).to_owned()).await?;
        m.drop_table(Table::drop().table(NotificationTemplates::Table).to_owned()).await?;
        m.drop_table(Table::drop().table(NotificationSettings::Table).to_owned()).await?;
        m.drop_table(Table::drop().table(NotificationPreferences::Table).to_owned()).await?;
        m.drop_table(Table::drop().table(Notifications::Table).to_owned()).await?;
        Ok(())
    }
}

#[derive(DeriveIden, Clone, Copy)]
enum Notifications {
    Table,
    Id,
    TenantId,
    UserId,
    Category,
    Critical,
    Title,
    Body,
    Data,
    SourceEventId,
    ReadAt,
    CreatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum NotificationPreferences {
    Table,
    Id,
    TenantId,
    UserId,
    Category,
    Channel,
    Enabled,
}

#[derive(DeriveIden, Clone, Copy)]
enum NotificationSettings {
    Table,
    UserId,
    TenantId,
    QuietStart,
    QuietEnd,
    TimeZone,
}

#[derive(DeriveIden, Clone, Copy)]
enum NotificationTemplates {
    Table,
    Id,
    TenantId,
    EventType,
    Channel,
    Subject,
    Body,
}

#[derive(DeriveIden, Clone, Copy)]
enum NotificationEndpoints {
    Table,
    Id,
    TenantId,
    UserId,
    Channel,
    Target,
    Secret,
    Active,
    CreatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum NotificationDeliveries {
    Table,
    Id,
    TenantId,
    NotificationId,
    EndpointId,
    Channel,
    Status,
    Attempts,
    NextAttemptAt,
    LastError,
    LastStatusCode,
    CreatedAt,
    DeliveredAt,
}

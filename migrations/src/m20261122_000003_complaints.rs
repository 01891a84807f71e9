//! Complaints: teams, routing, SLA calendars and policies, complaints, timeline.

use sea_orm_migration::{prelude::*, schema::*};

use crate::m20261122_000001_tenancy::{index, unique_index};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(ComplaintTeams::Table)
                .col(pk_uuid(ComplaintTeams::Id))
                .col(uuid(ComplaintTeams::TenantId))
                .col(string(ComplaintTeams::Name))
                .col(integer(ComplaintTeams::RrCursor))
                .col(timestamp_with_time_zone(ComplaintTeams::CreatedAt))
                .to_owned(),
        )
        .await?;
        unique_index(
            m,
            "ux_complaint_teams_tenant_id_name",
            ComplaintTeams::Table,
            &[ComplaintTeams::TenantId, ComplaintTeams::Name],
        )
        .await?;
        m.create_table(
            Table::create()
                .table(ComplaintTeamMembers::Table)
                .col(pk_uuid(ComplaintTeamMembers::Id))
                .col(uuid(ComplaintTeamMembers::TenantId))
                .col(uuid(ComplaintTeamMembers::TeamId))
                .col(uuid(ComplaintTeamMembers::UserId))
                .col(integer(ComplaintTeamMembers::Position))
                .col(boolean(ComplaintTeamMembers::Active))
                .to_owned(),
        )
        .await?;
        unique_index(
            m,
            "ux_complaint_team_members_team_id_user_id",
            ComplaintTeamMembers::Table,
            &[ComplaintTeamMembers::TeamId, ComplaintTeamMembers::UserId],
        )
        .await?;
        m.create_table(
            Table::create()
                .table(ComplaintRoutingRules::Table)
                .col(pk_uuid(ComplaintRoutingRules::Id))
                .col(uuid(ComplaintRoutingRules::TenantId))
                .col(string_null(ComplaintRoutingRules::Category))
                .col(string_null(ComplaintRoutingRules::Region))
                .col(uuid(ComplaintRoutingRules::TeamId))
                .col(integer(ComplaintRoutingRules::Rank))
                .to_owned(),
        )
        .await?;
        index(
            m,
            "ix_complaint_routing_rules_tenant_id_rank",
            ComplaintRoutingRules::Table,
            &[ComplaintRoutingRules::TenantId, ComplaintRoutingRules::Rank],
        )
        .await?;
        m.create_table(
            Table::create()
                .table(SlaCalendars::Table)
                .col(pk_uuid(SlaCalendars::Id))
                .col(uuid(SlaCalendars::TenantId))
                .col(string(SlaCalendars::Name))
                .col(string(SlaCalendars::TimeZone))
                .col(text(SlaCalendars::WeeklyHours))
                .col(text(SlaCalendars::Holidays))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(SlaPolicies::Table)
                .col(pk_uuid(SlaPolicies::Id))
                .col(uuid(SlaPolicies::TenantId))
                .col(string(SlaPolicies::Priority))
                .col(integer(SlaPolicies::FirstResponseSeconds))
                .col(integer(SlaPolicies::ResolutionSeconds))
                .col(uuid_null(SlaPolicies::CalendarId))
                .col(text(SlaPolicies::PauseStatuses))
                .col(integer(SlaPolicies::EscalationSeconds))
                .col(text(SlaPolicies::Ladder))
                .to_owned(),
        )
        .await?;
        unique_index(
            m,
            "ux_sla_policies_tenant_id_priority",
            SlaPolicies::Table,
            &[SlaPolicies::TenantId, SlaPolicies::Priority],
        )
        .await?;
        m.create_table(
            Table::create()
                .table(Complaints::Table)
                .col(pk_uuid(Complaints::Id))
                .col(uuid(Complaints::TenantId))
                .col(string(Complaints::TrackingCode))
                .col(uuid_null(Complaints::ReporterId))
                .col(string_null(Complaints::ReporterContact))
                .col(string(Complaints::Category))
                .col(string(Complaints::Priority))
                .col(string_null(Complaints::Region))
                .col(string(Complaints::Subject))
                .col(text(Complaints::Description))
                .col(string(Complaints::Status))
                .col(uuid_null(Complaints::TeamId))
                .col(uuid_null(Complaints::AssigneeId))
                .col(integer(Complaints::EscalationLevel))
                .col(uuid_null(Complaints::PolicyId))
                .col(timestamp_with_time_zone_null(Complaints::FirstResponseDueAt))
                .col(timestamp_with_time_zone_null(Complaints::ResolutionDueAt))
                .col(timestamp_with_time_zone_null(Complaints::FirstRespondedAt))
                .col(timestamp_with_time_zone_null(Complaints::PausedAt))
                .col(big_integer_null(Complaints::FirstResponseLeftSecs))
                .col(big_integer_null(Complaints::ResolutionLeftSecs))
                .col(boolean(Complaints::FirstResponseBreached))
                .col(boolean(Complaints::ResolutionBreached))
                .col(timestamp_with_time_zone_null(Complaints::NextEscalationAt))
                .col(timestamp_with_time_zone(Complaints::CreatedAt))
                .col(timestamp_with_time_zone(Complaints::UpdatedAt))
                .to_owned(),
        )
        .await?;
        unique_index(m, "ux_complaints_tracking_code", Complaints::Table, &[Complaints::TrackingCode])
            .await?;
        index(
            m,
            "ix_complaints_tenant_id_status",
            Complaints::Table,
            &[Complaints::TenantId, Complaints::Status],
        )
        .await?;
        index(m, "ix_complaints_assignee_id", Complaints::Table, &[Complaints::AssigneeId]).await?;
        m.create_table(
            Table::create()
                .table(ComplaintTimeline::Table)
                .col(pk_uuid(ComplaintTimeline::Id))
                .col(uuid(ComplaintTimeline::TenantId))
                .col(uuid(ComplaintTimeline::ComplaintId))
                .col(string(ComplaintTimeline::Kind))
                .col(uuid_null(ComplaintTimeline::AuthorId))
                .col(text_null(ComplaintTimeline::Body))
                .col(string_null(ComplaintTimeline::FromStatus))
                .col(string_null(ComplaintTimeline::ToStatus))
                .col(timestamp_with_time_zone(ComplaintTimeline::CreatedAt))
                .to_owned(),
        )
        .await?;
        index(
            m,
            "ix_complaint_timeline_complaint_id_created_at",
            ComplaintTimeline::Table,
            &[ComplaintTimeline::ComplaintId, ComplaintTimeline::CreatedAt],
        )
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(ComplaintTimeline::Table).to_owned()).await?;
        m.drop_table(Table::drop().table(Complaints::Table).to_owned()).await?;
        m.drop_table(Table::drop().table(SlaPolicies::Table).to_owned()).await?;
        m.drop_table(Table::drop().table(SlaCalendars::Table).to_owned()).await?;
        m.drop_table(Table::drop().table(ComplaintRoutingRules::Table).to_owned()).await?;
        m.drop_table(Table::drop().table(ComplaintTeamMembers::Table).to_owned()).await?;
        m.drop_table(Table::drop().table(ComplaintTeams::Table).to_owned()).await?;
        Ok(())
    }
}

#[derive(DeriveIden, Clone, Copy)]
enum ComplaintTeams {
    Table,
    Id,
    TenantId,
    Name,
    RrCursor,
    CreatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum ComplaintTeamMembers {
    Table,
    Id,
    TenantId,
    TeamId,
    UserId,
    Position,
    Active,
}

#[derive(DeriveIden, Clone, Copy)]
enum ComplaintRoutingRules {
    Table,
    Id,
    TenantId,
    Category,
    Region,
    TeamId,
    Rank,
}

#[derive(DeriveIden, Clone, Copy)]
enum SlaCalendars {
    Table,
    Id,
    TenantId,
    Name,
    TimeZone,
    WeeklyHours,
    Holidays,
}

#[derive(DeriveIden, Clone, Copy)]
enum SlaPolicies {
    Table,
    Id,
    TenantId,
    Priority,
    FirstResponseSeconds,
    ResolutionSeconds,
    CalendarId,
    PauseStatuses,
    EscalationSeconds,
    Ladder,
}

#[derive(DeriveIden, Clone, Copy)]
enum Complaints {
    Table,
    Id,
    TenantId,
    TrackingCode,
    ReporterId,
    ReporterContact,
    Category,
    Priority,
    Region,
    Subject,
    Description,
    Status,
    TeamId,
    AssigneeId,
    EscalationLevel,
    PolicyId,
    FirstResponseDueAt,
    ResolutionDueAt,
    FirstRespondedAt,
    PausedAt,
    FirstResponseLeftSecs,
    ResolutionLeftSecs,
    FirstResponseBreached,
    ResolutionBreached,
    NextEscalationAt,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum ComplaintTimeline {
    Table,
    Id,
    TenantId,
    ComplaintId,
    Kind,
    AuthorId,
    Body,
    FromStatus,
    ToStatus,
    CreatedAt,
}

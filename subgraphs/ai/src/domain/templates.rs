//! Versioned prompt templates with declared variables. Saving a template
//! under an existing name makes the next version; a body may use only the
//! variables it declares, and rendering checks every value.

use std::collections::BTreeMap;

use backbone_entities::ai::prompt_template;
use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait,
    QueryFilter, QueryOrder, QuerySelect,
};
use serde::{Deserialize, Serialize};
use subgraph_kit::{
    ApiError, ApiResult,
    pagination::{Page, Paged},
};
use uuid::Uuid;

/// A declared variable.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Variable {
    /// Name used as `{{name}}`.
    pub name: String,
    /// Must be given.
    pub required: bool,
    /// Longest value accepted, in characters.
    pub max_length: usize,
}

/// Names inside `{{…}}` in `text`.
pub fn placeholders(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find("{{") {
        let after = &rest[start + 2..];
        let Some(end) = after.find("}}") else { break };
        out.push(after[..end].trim().to_owned());
        rest = &after[end + 2..];
    }
    out
}

/// Saves a new version of template `name`.
#[allow(clippy::too_many_arguments)]
pub async fn save(
    db: &impl ConnectionTrait,
    tenant_id: Uuid,
    author: Uuid,
    name: &str,
    system: Option<String>,
    body: &str,
    variables: Vec<Variable>,
    max_tokens: i32,
) -> ApiResult<prompt_template::Model> {
    let name = subgraph_kit::validate::name("name", name)?;
    if body.trim().is_empty() || body.len() > 20_000 {
        return Err(ApiError::bad_input("body", "1 to 20000 characters"));
    }
    if !(1..=16_384).contains(&max_tokens) {
        return Err(ApiError::bad_input("maxTokens", "1 to 16384"));
    }
    for v in &variables {
        if v.name.is_empty() || !v.name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
            return Err(ApiError::bad_input("variables", format!("bad variable name {:?}", v.name)));
        }
    }
    let text = format!("{}\n{body}", system.as_deref().unwrap_or(""));
    for p in placeholders(&text) {
        if !variables.iter().any(|v| v.name == p) {
            return Err(ApiError::bad_input("body", format!("{{{{{p}}}}} is not a declared variable")));
        }
    }
    let latest = latest(db, tenant_id, &name).await?;
    let version = latest.map_or(1, |t| t.version + 1);
    let row = prompt_template::ActiveModel {
        id: Set(Uuid::now_v7()),
        tenant_id: Set(tenant_id),
        name: Set(name),
        version: Set(version),
        system: Set(system),
        body: Set(body.to_owned()),
        variables: Set(serde_json::to_string(&variables).unwrap_or_else(|_| "[]".into())),
        max_tokens: Set(max_tokens),
        created_by: Set(Some(author)),
        created_at: Set(Utc::now()),
    };
    row.insert(db).await.map_err(|e| match e.sql_err() {
        Some(sea_orm::SqlErr::UniqueConstraintViolation(_)) => {
            ApiError::Conflict("saved concurrently; try again".into())
        }
        _ => e.into(),
    })
}

async fn latest(
    db: &impl ConnectionTrait,
    tenant_id: Uuid,
    name: &str,
) -> ApiResult<Option<prompt_template::Model>> {
    Ok(prompt_template::Entity::find()
        .filter(prompt_template::Column::TenantId.eq(tenant_id))
        .filter(prompt_template::Column::Name.eq(name))
        .order_by_desc(prompt_template::Column::Version)
        .one(db)
        .await?)
}

/// Version `version` of `name`, or the latest.
pub async fn find(
    db: &impl ConnectionTrait,
    tenant_id: Uuid,
    name: &str,
    version: Option<i32>,
) -> ApiResult<prompt_template::Model> {
    let found = match version {
        None => latest(db, tenant_id, name).await?,
        Some(v) => {
            prompt_template::Entity::find()
                .filter(prompt_template::Column::TenantId.eq(tenant_id))
                .filter(prompt_template::Column::Name.eq(name))
                .filter(prompt_template::Column::Version.eq(v))
                .one(db)
                .await?
        }
    };
    found.ok_or_else(|| ApiError::NotFound(format!("no prompt template {name}")))
}

/// Declared variables of a template.
pub fn variables(t: &prompt_template::Model) -> Vec<Variable> {
    serde_json::from_str(&t.variables).unwrap_or_default()
}

/// The system and user messages with `values` filled in; an undeclared,
/// missing or too long value is `BAD_USER_INPUT`.
pub fn render(
    t: &prompt_template::Model,
    values: &BTreeMap<String, String>,
) -> ApiResult<(Option<String>, String)> {
    let declared = variables(t);
    for name in values.keys() {
        if !declared.iter().any(|v| &v.name == name) {
            return Err(ApiError::bad_input("variables", format!("{name} is not a variable of {}", t.name)));
        }
    }
    for v in &declared {
        match values.get(&v.name) {
            None if v.required => {
                return Err(ApiError::bad_input("variables", format!("{} is required", v.name)));
            }
            Some(value) if value.chars().count() > v.max_length => {
                return Err(ApiError::bad_input(
                    "variables",
                    format!("{} is longer than {}", v.name, v.max_length),
                ));
            }
            _ => {}
        }
    }
    let fill = |text: &str| {
        let mut out = text.to_owned();
        for v in &declared {
            let value = values.get(&v.name).map_or("", String::as_str);
            out = out
                .replace(&format!("{{{{{}}}}}", v.name), value)
                .replace(&format!("{{{{ {} }}}}", v.name), value);
        }
        out
    };
    Ok((t.system.as_deref().map(fill), fill(&t.body)))
}

/// A page of the tenant's templates: every version of `name`, newest
/// first, or the latest version of each template, by name.
pub async fn list(
    db: &DatabaseConnection,
    tenant_id: Uuid,
    name: Option<&str>,
    page: &Page,
) -> ApiResult<Paged<prompt_template::Model>> {
    let of_tenant = prompt_template::Entity::find().filter(prompt_template::Column::TenantId.eq(tenant_id));
    if let Some(n) = name {
        let versions = of_tenant
            .filter(prompt_template::Column::Name.eq(n))
            .order_by_desc(prompt_template::Column::Version);
        return page.fetch_at(db, versions).await;
    }
    let start = page.after_position()?;
    let names: Vec<String> = of_tenant
        .clone()
        .select_only()
        .column(prompt_template::Column::Name)
        .group_by(prompt_template::Column::Name)
        .order_by_asc(prompt_template::Column::Name)
        .offset(start)
        .limit(page.limit())
        .into_tuple()
        .all(db)
        .await?;
    let versions = of_tenant
        .filter(prompt_template::Column::Name.is_in(names))
        .order_by_asc(prompt_template::Column::Name)
        .order_by_desc(prompt_template::Column::Version)
        .all(db)
        .await?;
    let mut seen = std::collections::HashSet::new();
    let latest = versions.into_iter().filter(|r| seen.insert(r.name.clone())).collect();
    Ok(page.split_from(start, latest))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_found() {
        assert_eq!(placeholders("Hi {{name}}, {{ topic }}!"), ["name", "topic"]);
        assert!(placeholders("no vars").is_empty());
    }
}

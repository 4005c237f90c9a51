//! Groups.

use serde_json::{Map, Value};

/// A group.
#[derive(Debug, Clone)]
pub(crate) struct Group {
    /// Pool id.
    pub pool_id: String,
    /// Group name.
    pub name: String,
    /// Description.
    pub description: Option<String>,
    /// IAM role ARN.
    pub role_arn: Option<String>,
    /// Precedence (lower wins).
    pub precedence: Option<i64>,
    /// Creation time.
    pub created_at: f64,
    /// Last modification time.
    pub modified_at: f64,
}

impl Group {
    /// The `GroupType` JSON shape.
    pub(crate) fn to_json(&self) -> Value {
        let mut m = Map::new();
        m.insert("GroupName".into(), self.name.clone().into());
        m.insert("UserPoolId".into(), self.pool_id.clone().into());
        if let Some(d) = &self.description {
            m.insert("Description".into(), d.clone().into());
        }
        if let Some(r) = &self.role_arn {
            m.insert("RoleArn".into(), r.clone().into());
        }
        if let Some(p) = self.precedence {
            m.insert("Precedence".into(), p.into());
        }
        m.insert("CreationDate".into(), self.created_at.into());
        m.insert("LastModifiedDate".into(), self.modified_at.into());
        Value::Object(m)
    }
}

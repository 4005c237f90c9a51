//! Cognito's standard attributes and the schema a pool describes: every
//! standard attribute with its documented type and constraints (in the
//! order DescribeUserPool lists them), with what the pool's creator
//! specified for one laid over it, then the custom attributes.

use serde_json::{Map, Value, json};

use super::pool::SchemaAttribute;

/// Cognito's standard attributes, in the order DescribeUserPool lists them.
pub(crate) const STANDARD_ATTRIBUTES: &[&str] = &[
    "sub",
    "name",
    "given_name",
    "family_name",
    "middle_name",
    "nickname",
    "preferred_username",
    "profile",
    "picture",
    "website",
    "email",
    "email_verified",
    "gender",
    "birthdate",
    "zoneinfo",
    "locale",
    "phone_number",
    "phone_number_verified",
    "address",
    "updated_at",
];

/// The schema entry Cognito gives a standard attribute.
fn standard_entry(name: &str) -> Map<String, Value> {
    let (data_type, constraints) = match name {
        "sub" => (
            "String",
            Some((
                "StringAttributeConstraints",
                json!({"MinLength": "1", "MaxLength": "2048"}),
            )),
        ),
        "email_verified" | "phone_number_verified" => ("Boolean", None),
        "birthdate" => (
            "String",
            Some((
                "StringAttributeConstraints",
                json!({"MinLength": "10", "MaxLength": "10"}),
            )),
        ),
        "updated_at" => (
            "Number",
            Some(("NumberAttributeConstraints", json!({"MinValue": "0"}))),
        ),
        _ => (
            "String",
            Some((
                "StringAttributeConstraints",
                json!({"MinLength": "0", "MaxLength": "2048"}),
            )),
        ),
    };
    let mut m = Map::new();
    m.insert("Name".into(), name.into());
    m.insert("AttributeDataType".into(), data_type.into());
    m.insert("DeveloperOnlyAttribute".into(), false.into());
    m.insert("Mutable".into(), (name != "sub").into());
    m.insert("Required".into(), (name == "sub").into());
    if let Some((key, value)) = constraints {
        m.insert(key.into(), value);
    }
    m
}

/// The `SchemaAttributes` of a pool whose creator specified `specified`:
/// all standard attributes (a specified one's fields override the
/// defaults), then the custom ones with Cognito's defaults for the fields
/// not given (`DeveloperOnlyAttribute` false, `Mutable` true, `Required`
/// false).
pub(crate) fn described(specified: &[SchemaAttribute]) -> Vec<Value> {
    let overlay = |mut base: Map<String, Value>, given: &SchemaAttribute| {
        for (k, v) in Map::<String, Value>::from(given.clone()) {
            base.insert(k, v);
        }
        Value::Object(base)
    };
    let mut out: Vec<Value> = STANDARD_ATTRIBUTES
        .iter()
        .map(|&name| match specified.iter().find(|a| a.name == name) {
            Some(given) => overlay(standard_entry(name), given),
            None => Value::Object(standard_entry(name)),
        })
        .collect();
    for custom in specified
        .iter()
        .filter(|a| !STANDARD_ATTRIBUTES.contains(&a.name.as_str()))
    {
        let mut base = Map::new();
        base.insert("DeveloperOnlyAttribute".into(), false.into());
        base.insert("Mutable".into(), true.into());
        base.insert("Required".into(), false.into());
        out.push(overlay(base, custom));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn attr(text: &str) -> SchemaAttribute {
        serde_json::from_str(text).unwrap()
    }

    #[test]
    fn standard_attributes_come_first_with_their_constraints() {
        let schema = described(&[
            attr(r#"{"Name":"custom:tenant","AttributeDataType":"String"}"#),
            attr(r#"{"Name":"email","Required":true}"#),
        ]);
        assert_eq!(schema.len(), STANDARD_ATTRIBUTES.len() + 1);
        assert_eq!(
            schema[0],
            json!({"Name": "sub", "AttributeDataType": "String", "DeveloperOnlyAttribute": false,
                   "Mutable": false, "Required": true,
                   "StringAttributeConstraints": {"MinLength": "1", "MaxLength": "2048"}})
        );
        let email = schema.iter().find(|a| a["Name"] == "email").unwrap();
        assert_eq!(email["Required"], true);
        assert_eq!(email["StringAttributeConstraints"]["MaxLength"], "2048");
        let updated = schema.iter().find(|a| a["Name"] == "updated_at").unwrap();
        assert_eq!(updated["AttributeDataType"], "Number");
        assert_eq!(
            updated["NumberAttributeConstraints"],
            json!({"MinValue": "0"})
        );
        let verified = schema
            .iter()
            .find(|a| a["Name"] == "email_verified")
            .unwrap();
        assert_eq!(verified["AttributeDataType"], "Boolean");
        assert!(verified.get("StringAttributeConstraints").is_none());
        assert_eq!(
            schema.last().unwrap(),
            &json!({"Name": "custom:tenant", "AttributeDataType": "String",
                    "DeveloperOnlyAttribute": false, "Mutable": true, "Required": false})
        );
    }
}

//! A pool's `LambdaConfig` (Cognito's `LambdaConfigType`): the function
//! ARN of each trigger. The issuer fires the triggers it knows; the custom
//! sender triggers and `KMSKeyID` are stored and echoed only.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// Cognito's `LambdaConfigType`, stored and returned as received (after
/// [`LambdaConfig::normalized`]).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct LambdaConfig {
    /// `PreSignUp`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pre_sign_up: Option<String>,
    /// `CustomMessage`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub custom_message: Option<String>,
    /// `PostConfirmation`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub post_confirmation: Option<String>,
    /// `PreAuthentication`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pre_authentication: Option<String>,
    /// `PostAuthentication`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub post_authentication: Option<String>,
    /// `DefineAuthChallenge`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub define_auth_challenge: Option<String>,
    /// `CreateAuthChallenge`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub create_auth_challenge: Option<String>,
    /// `VerifyAuthChallengeResponse`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verify_auth_challenge_response: Option<String>,
    /// `PreTokenGeneration` (the V1 form; kept equal to
    /// `PreTokenGenerationConfig.LambdaArn`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pre_token_generation: Option<String>,
    /// `PreTokenGenerationConfig`: the function and its event version.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pre_token_generation_config: Option<PreTokenGenerationConfig>,
    /// `UserMigration`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_migration: Option<String>,
    /// `CustomSMSSender`, `CustomEmailSender`, `KMSKeyID` and anything else:
    /// echoed as received.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// Cognito's `PreTokenGenerationVersionConfigType`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct PreTokenGenerationConfig {
    /// `V1_0`, `V2_0` or `V3_0`.
    pub lambda_version: String,
    /// The function.
    pub lambda_arn: String,
}

impl PreTokenGenerationConfig {
    /// The event version (1, 2 or 3) of a valid `LambdaVersion`.
    pub(crate) fn version(&self) -> Option<u8> {
        match self.lambda_version.as_str() {
            "V1_0" => Some(1),
            "V2_0" => Some(2),
            "V3_0" => Some(3),
            _ => None,
        }
    }
}

impl LambdaConfig {
    /// Every ARN member with its wire name (camelCase, as AWS names it in
    /// validation messages).
    pub(crate) fn arns(&self) -> Vec<(&'static str, &str)> {
        let mut v: Vec<(&'static str, &str)> = [
            ("preSignUp", &self.pre_sign_up),
            ("customMessage", &self.custom_message),
            ("postConfirmation", &self.post_confirmation),
            ("preAuthentication", &self.pre_authentication),
            ("postAuthentication", &self.post_authentication),
            ("defineAuthChallenge", &self.define_auth_challenge),
            ("createAuthChallenge", &self.create_auth_challenge),
            (
                "verifyAuthChallengeResponse",
                &self.verify_auth_challenge_response,
            ),
            ("preTokenGeneration", &self.pre_token_generation),
            ("userMigration", &self.user_migration),
        ]
        .into_iter()
        .filter_map(|(n, a)| a.as_deref().map(|a| (n, a)))
        .collect();
        if let Some(c) = &self.pre_token_generation_config {
            v.push(("preTokenGenerationConfig.lambdaArn", &c.lambda_arn));
        }
        v
    }

    /// The pre token generation function and its event version: the
    /// `PreTokenGenerationConfig` when present, else `PreTokenGeneration`
    /// (version 1).
    pub(crate) fn pre_token(&self) -> Option<(&str, u8)> {
        match (
            &self.pre_token_generation_config,
            &self.pre_token_generation,
        ) {
            (Some(c), _) => Some((&c.lambda_arn, c.version().unwrap_or(1))),
            (None, Some(arn)) => Some((arn, 1)),
            (None, None) => None,
        }
    }

    /// As AWS describes it: `PreTokenGeneration` and
    /// `PreTokenGenerationConfig.LambdaArn` name the same function (a
    /// lone `PreTokenGeneration` is version `V1_0`).
    pub(crate) fn normalized(mut self) -> Self {
        match (
            &self.pre_token_generation_config,
            &self.pre_token_generation,
        ) {
            (Some(c), _) => self.pre_token_generation = Some(c.lambda_arn.clone()),
            (None, Some(arn)) => {
                self.pre_token_generation_config = Some(PreTokenGenerationConfig {
                    lambda_version: "V1_0".into(),
                    lambda_arn: arn.clone(),
                })
            }
            (None, None) => {}
        }
        self
    }
}

//! Application Load Balancer ARNs: validation, and the public key server of
//! the ARN's region (aws-behaviour.md 5.2).

use crate::error::ConfigError;

/// A validated ALB ARN:
/// `arn:<partition>:elasticloadbalancing:<region>:<account>:loadbalancer/app/<name>/<id>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct AlbArn {
    /// The whole ARN, compared byte for byte with a token's `signer`.
    pub(crate) text: String,
    /// `aws`, `aws-cn` or `aws-us-gov`.
    pub(crate) partition: &'static str,
    /// e.g. `us-east-1`.
    pub(crate) region: String,
}

impl AlbArn {
    /// Parses `arn`, refusing anything but an Application Load Balancer's ARN.
    pub(crate) fn parse(arn: &str) -> Result<AlbArn, ConfigError> {
        let invalid = |reason| ConfigError::InvalidAlbArn {
            arn: arn.to_owned(),
            reason,
        };
        let mut parts = arn.splitn(6, ':');
        let (
            Some("arn"),
            Some(partition),
            Some(service),
            Some(region),
            Some(account),
            Some(resource),
        ) = (
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
        )
        else {
            return Err(invalid(
                "expected arn:<partition>:elasticloadbalancing:<region>:<account>:loadbalancer/app/<name>/<id>",
            ));
        };
        let partition = match partition {
            "aws" => "aws",
            "aws-cn" => "aws-cn",
            "aws-us-gov" => "aws-us-gov",
            _ => return Err(invalid("partition must be aws, aws-cn or aws-us-gov")),
        };
        if service != "elasticloadbalancing" {
            return Err(invalid("service must be elasticloadbalancing"));
        }
        if !is_region(region) {
            return Err(invalid("region must look like us-east-1"));
        }
        if account.len() != 12 || !account.bytes().all(|b| b.is_ascii_digit()) {
            return Err(invalid("account must be 12 digits"));
        }
        let Some((name, id)) = resource
            .strip_prefix("loadbalancer/app/")
            .and_then(|rest| rest.split_once('/'))
        else {
            return Err(invalid(
                "resource must be loadbalancer/app/<name>/<id> (an Application Load Balancer)",
            ));
        };
        let name_ok = (1..=32).contains(&name.len())
            && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
            && !name.starts_with('-')
            && !name.ends_with('-');
        if !name_ok {
            return Err(invalid(
                "load balancer name must be 1-32 letters, digits or inner hyphens",
            ));
        }
        if id.is_empty() || id.len() > 32 || !id.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(invalid("load balancer id must be hexadecimal"));
        }
        Ok(AlbArn {
            text: arn.to_owned(),
            partition,
            region: region.to_owned(),
        })
    }

    /// Where the ALBs of this ARN's region publish their keys (`<base>/<kid>`):
    /// `https://public-keys.auth.elb.<region>.amazonaws.com`, or for GovCloud
    /// the S3 bucket `aws-elb-public-keys-prod-<region>`. China has no
    /// documented default here, so it needs an explicit key base URL.
    pub(crate) fn key_base_url(&self) -> Option<String> {
        match self.partition {
            "aws" => Some(format!(
                "https://public-keys.auth.elb.{}.amazonaws.com",
                self.region
            )),
            "aws-us-gov" => Some(format!(
                "https://s3-{0}.amazonaws.com/aws-elb-public-keys-prod-{0}",
                self.region
            )),
            _ => None,
        }
    }
}

/// `xx-name-N` or `xx-gov-name-N` (e.g. `us-east-1`, `us-gov-west-1`, `ap-southeast-2`).
fn is_region(region: &str) -> bool {
    let parts: Vec<&str> = region.split('-').collect();
    let lower = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_lowercase());
    let (country, rest) = match parts.as_slice() {
        [country, rest @ ..] => (*country, rest),
        [] => return false,
    };
    let rest = match rest {
        ["gov", rest @ ..] => rest,
        rest => rest,
    };
    country.len() == 2
        && lower(country)
        && matches!(rest, [name, n] if lower(name) && n.len() == 1 && n.bytes().all(|b| b.is_ascii_digit()))
}

#[cfg(test)]
mod tests {
    use super::*;

    const ARN: &str = "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/my-alb/50dc6c495c0c9188";

    #[test]
    fn parses_and_derives_the_key_server() {
        let arn = AlbArn::parse(ARN).unwrap();
        assert_eq!(arn.region, "us-east-1");
        assert_eq!(
            arn.key_base_url().unwrap(),
            "https://public-keys.auth.elb.us-east-1.amazonaws.com"
        );
        let gov = AlbArn::parse(
            "arn:aws-us-gov:elasticloadbalancing:us-gov-west-1:123456789012:loadbalancer/app/a/50dc6c495c0c9188",
        )
        .unwrap();
        assert_eq!(
            gov.key_base_url().unwrap(),
            "https://s3-us-gov-west-1.amazonaws.com/aws-elb-public-keys-prod-us-gov-west-1"
        );
        let cn = AlbArn::parse(
            "arn:aws-cn:elasticloadbalancing:cn-north-1:123456789012:loadbalancer/app/a/50dc6c495c0c9188",
        )
        .unwrap();
        assert_eq!(cn.key_base_url(), None);
    }

    #[test]
    fn refuses_other_arns() {
        for bad in [
            "",
            "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/net/my-nlb/50dc6c495c0c9188",
            "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/tg/50dc6c495c0c9188",
            "arn:aws:cognito-idp:us-east-1:123456789012:loadbalancer/app/my-alb/50dc6c495c0c9188",
            "arn:azure:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/my-alb/50dc6c495c0c9188",
            "arn:aws:elasticloadbalancing:US-EAST-1:123456789012:loadbalancer/app/my-alb/50dc6c495c0c9188",
            "arn:aws:elasticloadbalancing:us-east-1:12345678901:loadbalancer/app/my-alb/50dc6c495c0c9188",
            "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/my_alb/50dc6c495c0c9188",
            "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/my-alb/",
            "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/my-alb/xyz/1",
            "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/-a/50dc6c495c0c9188",
        ] {
            assert!(
                matches!(AlbArn::parse(bad), Err(ConfigError::InvalidAlbArn { .. })),
                "{bad}"
            );
        }
    }
}

"""Agents sign in with Cognito; the app verifies the issued JWTs itself (docs/decisions)."""

from __future__ import annotations

from aws_cdk import Duration, RemovalPolicy
from aws_cdk import aws_cognito as cognito
from constructs import Construct

from chalicelib.core.resources import Names

from .config import StageConfig
from .nag import acknowledge

GROUPS = {
    "admin": "Administrators: agents, teams, settings, webhooks, API tokens.",
    "agent": "Agents: work tickets in the shared inbox.",
}


class Agents(Construct):
    def __init__(self, scope: Construct, construct_id: str, *, names: Names, config: StageConfig) -> None:
        super().__init__(scope, construct_id)
        self.user_pool = cognito.UserPool(
            self,
            "UserPool",
            user_pool_name=f"{names.prefix}-agents",
            # Administrators invite agents; nobody signs themselves up.
            self_sign_up_enabled=False,
            sign_in_aliases=cognito.SignInAliases(email=True),
            sign_in_case_sensitive=False,
            auto_verify=cognito.AutoVerifiedAttrs(email=True),
            account_recovery=cognito.AccountRecovery.EMAIL_ONLY,
            password_policy=cognito.PasswordPolicy(
                min_length=12,
                require_lowercase=True,
                require_uppercase=True,
                require_digits=True,
                require_symbols=True,
                temp_password_validity=Duration.days(3),
            ),
            mfa=cognito.Mfa.OPTIONAL,
            mfa_second_factor=cognito.MfaSecondFactor(otp=True, sms=False),
            # Plus: compromised-credential checks and adaptive authentication (threat protection).
            feature_plan=cognito.FeaturePlan.PLUS,
            standard_threat_protection_mode=cognito.StandardThreatProtectionMode.FULL_FUNCTION,
            deletion_protection=config.protect_data,
            removal_policy=RemovalPolicy.RETAIN if config.protect_data else RemovalPolicy.DESTROY,
        )
        acknowledge(
            self.user_pool,
            "AwsSolutions-COG2",
            "MFA is optional by product decision: agents enrol a TOTP app at first sign-in when their "
            "organisation requires it; threat protection (Plus plan) challenges risky sign-ins.",
        )
        self.client = self.user_pool.add_client(
            "AgentClient",
            user_pool_client_name=f"{names.prefix}-agents",
            generate_secret=False,
            auth_flows=cognito.AuthFlow(user_srp=True, user_password=True),
            prevent_user_existence_errors=True,
            enable_token_revocation=True,
            access_token_validity=Duration.hours(1),
            id_token_validity=Duration.hours(1),
            refresh_token_validity=Duration.days(30),
        )
        self.groups = {
            name: cognito.UserPoolGroup(
                self, f"{name.capitalize()}Group", user_pool=self.user_pool, group_name=name, description=text
            )
            for name, text in GROUPS.items()
        }

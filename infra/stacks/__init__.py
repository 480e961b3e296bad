"""The Lambdesk CDK app: one stack per stage, built by :func:`stacks.build.build_app`."""

"""template.yaml as CloudFormation deploys it: the SAM transform applied offline with
aws-sam-translator, for the tests of the infrastructure. aws-sam-translator pins its own pydantic,
so this runs in the SAM CLI's environment: `.venv-sam/bin/python -m tools.cloudformation` prints
the translated template as JSON."""

from __future__ import annotations

import copy
import json
import sys
from typing import Any

import boto3
from samtranslator.parser.parser import Parser
from samtranslator.translator.translator import Translator

from local.template import template

REGION = "us-east-1"
_LOCAL_PATHS = ("CodeUri", "ContentUri")


def _with_placeholder_code(sam: dict[str, Any]) -> dict[str, Any]:
    """The translator accepts only s3:// code locations: local folders become placeholders."""
    sam = copy.deepcopy(sam)
    for resource in sam["Resources"].values():
        properties = resource.get("Properties", {})
        for key in _LOCAL_PATHS:
            if isinstance(properties.get(key), str):
                properties[key] = f"s3://placeholder/{properties[key].strip('/')}.zip"
    return sam


def translate() -> dict[str, Any]:
    """The CloudFormation template the SAM transform makes of template.yaml (no AWS calls)."""
    translator = Translator(
        managed_policy_map=None, sam_parser=Parser(), plugins=[], boto_session=boto3.Session(region_name=REGION)
    )
    translated: dict[str, Any] = translator.translate(
        sam_template=_with_placeholder_code(template()),
        parameter_values={},
        get_managed_policy_map=dict,
    )
    return translated


if __name__ == "__main__":
    json.dump(translate(), sys.stdout, indent=1, sort_keys=True)

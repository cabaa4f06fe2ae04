#!/usr/bin/env python3
"""Trims the official R4 search parameters to the ones Duet supports.

Reads the R4 `search-parameters.json` Bundle (and `profiles-resources.json` beside it, to expand
choice elements such as `ServiceRequest.occurrence[x]`) and writes a compact JSON document:

  {"fhirVersion": "4.0.1",
   "parameters": [{"code": "patient", "resource": "CarePlan", "type": "reference",
                   "paths": ["CarePlan.subject"], "targets": ["Patient"]}, ...]}

Each FHIRPath expression becomes simple element paths for one resource type: the `|` parts
naming that type are kept; `(X.value as T)`, `X.value.as(T)` and `X.valueT` become `X.valueT`;
`X.where(resolve() is T)` becomes path `X` with target restriction T; a bare choice element is
expanded to its variants that fit the parameter type. Parts that cannot be expressed this way are
dropped and reported on stderr.

Usage: trim_search_parameters.py [--definitions DIR] [--output FILE]
"""

import argparse
import json
import os
import re
import sys

SUPPORTED_TYPES = [
    "Patient", "Practitioner", "PractitionerRole", "Organization", "Coverage", "CareTeam",
    "CarePlan", "Goal", "Condition", "ServiceRequest", "Task", "Provenance", "DocumentReference",
    "ActivityDefinition", "MedicationStatement", "MedicationRequest", "MedicationDispense",
    "Communication", "Questionnaire", "QuestionnaireResponse", "Encounter", "Observation",
    "AuditEvent", "List",
]
SUPPORTED_PARAM_TYPES = {"token", "reference", "date", "string", "uri", "number", "quantity"}
# Common parameters (base "Resource") kept, applying to every type.
COMMON_PARAMS = {"_id", "_lastUpdated", "_tag", "_profile", "_security"}

# Element types a parameter of each search type can index, for expanding bare choice elements.
INDEXABLE_TYPES = {
    "token": {"code", "Coding", "CodeableConcept", "Identifier", "ContactPoint", "boolean", "id",
              "uri", "string"},
    "reference": {"Reference", "canonical"},
    "date": {"date", "dateTime", "instant", "Period", "Timing"},
    "string": {"string", "markdown", "HumanName", "Address"},
    "uri": {"uri", "url", "canonical", "oid", "uuid"},
    "number": {"integer", "decimal", "positiveInt", "unsignedInt"},
    "quantity": {"Quantity", "Age", "Duration", "Distance", "Count", "SimpleQuantity", "Money"},
}

AS_PAREN = re.compile(r"^\((?P<path>[A-Za-z0-9_.]+) as (?P<type>[A-Za-z]+)\)(?P<rest>(\.[A-Za-z0-9_]+)*)$")
AS_CALL = re.compile(r"\.as\((?P<type>[A-Za-z]+)\)")
WHERE_RESOLVE = re.compile(r"\.where\(resolve\(\) is (?P<type>[A-Za-z]+)\)$")
SIMPLE_PATH = re.compile(r"^[A-Za-z][A-Za-z0-9_]*(\.[A-Za-z][A-Za-z0-9_]*)*$")


def choice_suffix(type_code):
    return type_code[0].upper() + type_code[1:]


def load_choice_elements(profiles_path):
    """Maps 'Observation.effective' to the type codes of 'Observation.effective[x]'."""
    with open(profiles_path, encoding="utf-8") as f:
        bundle = json.load(f)
    choices = {}
    for entry in bundle.get("entry", []):
        resource = entry.get("resource", {})
        if resource.get("resourceType") != "StructureDefinition":
            continue
        if resource.get("type") not in SUPPORTED_TYPES:
            continue
        for element in resource.get("snapshot", {}).get("element", []):
            path = element.get("path", "")
            if path.endswith("[x]"):
                choices[path[:-3]] = [t.get("code") for t in element.get("type", [])]
    return choices


def split_union(expression):
    """Splits on top-level '|' (not inside parentheses or quotes)."""
    parts, depth, quoted, current = [], 0, False, []
    for ch in expression:
        if ch == "'":
            quoted = not quoted
        elif not quoted and ch == "(":
            depth += 1
        elif not quoted and ch == ")":
            depth -= 1
        if ch == "|" and depth == 0 and not quoted:
            parts.append("".join(current).strip())
            current = []
        else:
            current.append(ch)
    parts.append("".join(current).strip())
    return [p for p in parts if p]


def convert_part(part, param_type, choices):
    """Returns (paths, target_restriction or None), or None when the part cannot be expressed."""
    restriction = None
    match = WHERE_RESOLVE.search(part)
    if match:
        restriction = match.group("type")
        part = part[: match.start()]
    match = AS_PAREN.match(part)
    if match:
        part = match.group("path") + choice_suffix(match.group("type")) + match.group("rest")
    part = AS_CALL.sub(lambda m: choice_suffix(m.group("type")), part)
    if not SIMPLE_PATH.match(part):
        return None
    if part in choices:
        variants = [t for t in choices[part] if t in INDEXABLE_TYPES[param_type]]
        if not variants:
            return None
        return [part + choice_suffix(t) for t in variants], restriction
    return [part], restriction


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--definitions", default="/work/shared/fhir-data/definitions/r4")
    parser.add_argument("--output", default=os.path.join(here, "r4-search-parameters.json"))
    args = parser.parse_args()

    choices = load_choice_elements(os.path.join(args.definitions, "profiles-resources.json"))
    with open(os.path.join(args.definitions, "search-parameters.json"), encoding="utf-8") as f:
        bundle = json.load(f)

    out = []
    for entry in bundle.get("entry", []):
        sp = entry.get("resource", {})
        code, param_type = sp.get("code"), sp.get("type")
        if param_type not in SUPPORTED_PARAM_TYPES:
            continue
        bases = sp.get("base", [])
        if bases == ["Resource"]:
            if code not in COMMON_PARAMS:
                continue
            resource_types = ["Resource"]
        else:
            resource_types = [t for t in bases if t in SUPPORTED_TYPES]
        if not resource_types:
            continue
        expression = sp.get("expression", "")
        for resource_type in resource_types:
            paths, restrictions, unrestricted = [], set(), False
            for part in split_union(expression):
                if not (part.startswith(resource_type + ".")
                        or part.startswith("(" + resource_type + ".")):
                    continue
                converted = convert_part(part, param_type, choices)
                if converted is None:
                    print(f"dropped {resource_type}.{code} ({param_type}): {part}", file=sys.stderr)
                    continue
                part_paths, restriction = converted
                paths.extend(p for p in part_paths if p not in paths)
                if restriction:
                    restrictions.add(restriction)
                else:
                    unrestricted = True
            if not paths:
                print(f"skipped {resource_type}.{code}: no expressible path", file=sys.stderr)
                continue
            item = {"code": code, "resource": resource_type, "type": param_type, "paths": paths}
            if param_type == "reference":
                targets = sp.get("target", [])
                if restrictions and not unrestricted:
                    targets = [t for t in targets if t in restrictions] or sorted(restrictions)
                item["targets"] = targets
            out.append(item)

    out.sort(key=lambda p: (p["resource"] != "Resource", p["resource"], p["code"]))
    with open(args.output, "w", encoding="utf-8") as f:
        f.write('{"fhirVersion":"4.0.1","parameters":[\n')
        f.write(",\n".join(json.dumps(p, separators=(",", ":")) for p in out))
        f.write("\n]}\n")
    print(f"wrote {len(out)} parameters to {args.output}", file=sys.stderr)


if __name__ == "__main__":
    main()

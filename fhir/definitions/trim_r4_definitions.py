#!/usr/bin/env python3
"""Writes r4-structure.json: the parts of the official FHIR R4 definitions that validation needs.

Reads profiles-types.json, profiles-resources.json and valuesets.json (HL7 FHIR R4 4.0.1) and keeps,
for every datatype, primitive and resource, the snapshot elements reduced to path, cardinality,
type codes (with Reference/canonical target types), contentReference and required-binding ValueSet
url; for primitives the official value regex and maxLength. Required-binding ValueSets that can be
enumerated from valuesets.json alone are expanded; the others are listed with the reason they were
skipped.

Usage: trim_r4_definitions.py [DEFINITIONS_DIR] [OUTPUT]
  DEFINITIONS_DIR defaults to /work/shared/fhir-data/definitions/r4,
  OUTPUT defaults to r4-structure.json beside this script.
"""

import json
import os
import sys

FHIR_TYPE_EXTENSION = "http://hl7.org/fhir/StructureDefinition/structuredefinition-fhir-type"
REGEX_EXTENSION = "http://hl7.org/fhir/StructureDefinition/regex"
STRUCTURE_PREFIX = "http://hl7.org/fhir/StructureDefinition/"
# Required ValueSets larger than this are not expanded (none in R4 core comes close).
MAX_EXPANSION_CODES = 5000


def load_bundle(directory, name):
    with open(os.path.join(directory, name), encoding="utf-8") as handle:
        return [entry["resource"] for entry in json.load(handle)["entry"]]


def type_code(type_entry):
    """The FHIR type of an ElementDefinition.type entry (FHIRPath system types mapped back)."""
    code = type_entry["code"]
    if code.startswith("http://hl7.org/fhirpath/System."):
        for extension in type_entry.get("extension", []):
            if extension["url"] == FHIR_TYPE_EXTENSION:
                return extension["valueUrl"]
        # Only xhtml.id lacks the extension in 4.0.1; System.String is a FHIR string there.
        if code == "http://hl7.org/fhirpath/System.String":
            return "string"
        raise ValueError("system type without fhir-type extension: " + code)
    return code


def target_types(type_entry):
    targets = []
    for profile in type_entry.get("targetProfile", []):
        if not profile.startswith(STRUCTURE_PREFIX):
            raise ValueError("unexpected target profile " + profile)
        targets.append(profile[len(STRUCTURE_PREFIX):])
    return targets


def strip_version(url):
    return url.split("|", 1)[0]


def trim_element(definition, element, required_bindings):
    path = element["path"]
    trimmed = {"path": path, "min": element["min"], "max": element["max"]}
    if "contentReference" in element:
        trimmed["contentReference"] = element["contentReference"]
    types = []
    for type_entry in element.get("type", []):
        code = type_code(type_entry)
        # R4 4.0.1 encodes Resource.id as System.String/"string"; the specification defines it as
        # an id (and every resource inherits that), so restore the real type.
        if definition["kind"] == "resource" and path.count(".") == 1 and path.endswith(".id"):
            code = "id"
        targets = target_types(type_entry)
        types.append({"code": code, "targets": targets} if targets else code)
    if types:
        trimmed["types"] = types
    binding = element.get("binding")
    if binding and binding.get("strength") == "required" and "valueSet" in binding:
        url = strip_version(binding["valueSet"])
        trimmed["requiredBinding"] = url
        required_bindings.add(url)
    return trimmed


def primitive_details(definition):
    details = {}
    for element in definition["snapshot"]["element"]:
        if element["path"] != definition["id"] + ".value":
            continue
        for type_entry in element.get("type", []):
            for extension in type_entry.get("extension", []):
                if extension["url"] == REGEX_EXTENSION:
                    details["regex"] = extension["valueString"]
        if "maxLength" in element:
            details["maxLength"] = element["maxLength"]
    return details


def trim_structure(definition, required_bindings):
    trimmed = {
        "kind": definition["kind"],
        "abstract": definition.get("abstract", False),
    }
    base = definition.get("baseDefinition")
    if base:
        trimmed["base"] = base[len(STRUCTURE_PREFIX):]
    if definition["kind"] == "primitive-type":
        trimmed.update(primitive_details(definition))
    trimmed["elements"] = [
        trim_element(definition, element, required_bindings)
        for element in definition["snapshot"]["element"]
        if "." in element["path"]
    ]
    return trimmed


class Expander:
    """Enumerates the codes of ValueSets using only the CodeSystems and ValueSets in the file."""

    def __init__(self, value_sets, code_systems):
        self.value_sets = value_sets
        self.code_systems = code_systems

    def expand(self, url, seen=()):
        """Returns ({system: [codes]}, None) or (None, reason it cannot be enumerated)."""
        value_set = self.value_sets.get(url)
        if value_set is None:
            return None, "ValueSet not defined in valuesets.json"
        if url in seen:
            return None, "ValueSet includes itself"
        compose = value_set.get("compose")
        if compose is None:
            return None, "ValueSet has no compose"
        codes = {}
        for include in compose.get("include", []):
            part, reason = self.expand_include(include, seen + (url,))
            if reason:
                return None, reason
            for system, system_codes in part.items():
                merged = codes.setdefault(system, [])
                merged.extend(code for code in system_codes if code not in merged)
        for exclude in compose.get("exclude", []):
            part, reason = self.expand_include(exclude, seen + (url,))
            if reason:
                return None, "exclude: " + reason
            for system, system_codes in part.items():
                if system in codes:
                    codes[system] = [code for code in codes[system] if code not in system_codes]
        total = sum(len(system_codes) for system_codes in codes.values())
        if total == 0:
            return None, "expansion is empty"
        if total > MAX_EXPANSION_CODES:
            return None, "more than %d codes" % MAX_EXPANSION_CODES
        return codes, None

    def expand_include(self, include, seen):
        if "filter" in include:
            return None, "uses a filter on " + include.get("system", "?")
        codes = {}
        for value_set_url in include.get("valueSet", []):
            part, reason = self.expand(strip_version(value_set_url), seen)
            if reason:
                return None, "included %s: %s" % (value_set_url, reason)
            for system, system_codes in part.items():
                codes.setdefault(system, []).extend(system_codes)
        system = include.get("system")
        if system is None:
            return codes, None
        if "concept" in include:
            listed = [concept["code"] for concept in include["concept"]]
        else:
            code_system = self.code_systems.get(system)
            if code_system is None:
                return None, "code system %s is not defined in valuesets.json" % system
            if code_system.get("content") != "complete":
                return None, "code system %s has content '%s'" % (system, code_system.get("content"))
            listed = []
            self.collect_concepts(code_system.get("concept", []), listed)
        if "valueSet" in include:
            return None, "intersection of a system and a ValueSet is not supported"
        codes.setdefault(system, []).extend(listed)
        return codes, None

    def collect_concepts(self, concepts, out):
        for concept in concepts:
            out.append(concept["code"])
            self.collect_concepts(concept.get("concept", []), out)


def main():
    directory = sys.argv[1] if len(sys.argv) > 1 else "/work/shared/fhir-data/definitions/r4"
    output = sys.argv[2] if len(sys.argv) > 2 else os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "r4-structure.json")

    definitions = [
        resource
        for name in ("profiles-types.json", "profiles-resources.json")
        for resource in load_bundle(directory, name)
        if resource["resourceType"] == "StructureDefinition"
        and resource.get("derivation") != "constraint"
        and resource["kind"] != "logical"
    ]
    required_bindings = set()
    types = {}
    for definition in definitions:
        types[definition["id"]] = trim_structure(definition, required_bindings)

    terminology = load_bundle(directory, "valuesets.json")
    value_sets = {r["url"]: r for r in terminology if r["resourceType"] == "ValueSet"}
    code_systems = {r["url"]: r for r in terminology if r["resourceType"] == "CodeSystem"}
    expander = Expander(value_sets, code_systems)
    expanded = {}
    skipped = {}
    for url in sorted(required_bindings):
        codes, reason = expander.expand(url)
        if reason:
            skipped[url] = reason
        else:
            expanded[url] = codes

    write_output(output, types, expanded, skipped)
    print("%d types, %d required ValueSets expanded, %d skipped -> %s (%d bytes)" %
          (len(types), len(expanded), len(skipped), output, os.path.getsize(output)))


def dumps(value):
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=False)


def write_output(output, types, expanded, skipped):
    """One element / ValueSet per line, so regenerations diff well."""
    lines = ["{", '"fhirVersion":"4.0.1",', '"types":{']
    type_names = sorted(types)
    for index, name in enumerate(type_names):
        structure = dict(types[name])
        elements = structure.pop("elements")
        header = dumps(structure)[:-1]
        lines.append("%s:%s,\"elements\":[" % (dumps(name), header))
        lines.append(",\n".join(dumps(element) for element in elements))
        lines.append("]}" + ("," if index + 1 < len(type_names) else ""))
    lines.append("},")
    lines.append('"valueSets":{')
    lines.append(",\n".join("%s:%s" % (dumps(url), dumps(codes)) for url, codes in
                            sorted(expanded.items())))
    lines.append("},")
    lines.append('"skippedValueSets":{')
    lines.append(",\n".join("%s:%s" % (dumps(url), dumps(reason)) for url, reason in
                            sorted(skipped.items())))
    lines.append("}")
    lines.append("}")
    with open(output, "w", encoding="utf-8") as handle:
        handle.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()

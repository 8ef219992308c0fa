#!/usr/bin/env python3
# tests/integration/junit_check.py FILE: checks a JUnit report against the rules
# the Ant JUnit schema (windyroad/JUnit-Schema JUnit.xsd) imposes, written out
# here so that they hold even where the XSD file is not available. Prints one
# "ok"/"FAIL rule" line per rule; exit 1 when any rule fails.
import re
import sys
import xml.etree.ElementTree as ET

fails = []


def rule(cond, what):
    print(("ok   " if cond else "FAIL ") + what)
    if not cond:
        fails.append(what)


def is_int(s):
    return s is not None and re.fullmatch(r"[+-]?[0-9]+", s) is not None


def is_decimal(s):  # xs:decimal: no exponent
    return s is not None and re.fullmatch(r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)", s) is not None


def token(s):  # xs:token with minLength 1, after whitespace collapsing
    return s is not None and " ".join(s.split()) != ""


# strict UTF-8 first: ElementTree would decode with the declared encoding
raw = open(sys.argv[1], "rb").read()
try:
    raw.decode("utf-8")
    rule(True, "the file is UTF-8")
except UnicodeDecodeError as e:
    rule(False, f"the file is UTF-8 ({e})")
root = ET.fromstring(raw)
rule(root.tag == "testsuites", "the root is <testsuites>")
rule(not root.attrib, "<testsuites> has no attributes (the Ant schema allows none)")
suites = list(root)
rule(len(suites) >= 1 and all(s.tag == "testsuite" for s in suites),
     "<testsuites> holds only <testsuite> elements")
for s in suites:
    a = s.attrib
    for k in ("name", "hostname", "package"):
        rule(token(a.get(k)), f"testsuite/@{k} is a non-empty token")
    rule(re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}", a.get("timestamp", "")) is not None,
         "testsuite/@timestamp is YYYY-MM-DDTHH:MM:SS without a zone")
    for k in ("id", "tests", "failures", "errors"):
        rule(is_int(a.get(k)), f"testsuite/@{k} is an xs:int")
    rule("skipped" not in a or is_int(a["skipped"]), "testsuite/@skipped, when there, is an xs:int")
    rule(is_decimal(a.get("time")), "testsuite/@time is an xs:decimal")
    allowed = {"name", "timestamp", "hostname", "tests", "failures", "errors", "skipped", "time",
               "package", "id"}
    rule(set(a) <= allowed, f"testsuite has no other attributes ({sorted(set(a) - allowed)})")
    tags = [c.tag for c in s]
    # sequence: properties, testcase*, system-out, system-err
    rule(len(tags) >= 3 and tags[0] == "properties" and tags[-2:] == ["system-out", "system-err"]
         and all(t == "testcase" for t in tags[1:-2]),
         "testsuite children: properties, testcase*, system-out, system-err in that order")
    props = s.find("properties")
    rule(props is not None and all(p.tag == "property" and token(p.get("name")) and "value" in p.attrib
                                   for p in props), "every property has a name and a value")
    cases = s.findall("testcase")
    rule(int(a.get("tests", "-1")) == len(cases), "testsuite/@tests counts the testcases")
    counts = {"failure": 0, "error": 0, "skipped": 0}
    for c in cases:
        ca = c.attrib
        rule(token(ca.get("name")) and token(ca.get("classname")) and is_decimal(ca.get("time")),
             f"testcase {ca.get('name')!r} has name, classname and a decimal time")
        rule(set(ca) <= {"name", "classname", "time"}, "testcase has no other attributes")
        kids = list(c)
        rule(len(kids) <= 1 and all(k.tag in counts for k in kids),
             f"testcase {ca.get('name')!r} holds at most one of skipped, error, failure (and nothing else)")
        for k in kids:
            counts[k.tag] += 1
            if k.tag in ("failure", "error"):
                rule("type" in k.attrib, f"{k.tag} has the required type")
                rule(set(k.attrib) <= {"message", "type"}, f"{k.tag} has no other attributes")
            else:
                rule(set(k.attrib) <= {"message"}, "skipped has only a message")
    rule(int(a.get("failures", -1)) == counts["failure"], "testsuite/@failures counts the failures")
    rule(int(a.get("errors", -1)) == counts["error"], "testsuite/@errors counts the errors")
    rule(int(a.get("skipped", 0)) == counts["skipped"], "testsuite/@skipped counts the skips")
sys.exit(1 if fails else 0)

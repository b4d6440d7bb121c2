"""`rainmaker referrals add` and `rainmaker suppressions add|list|remove` over real HTTP."""

import json

from rainmaker_intake.entrypoints.cli_client import IntakeClient
from tests.support import unique_id


def referral(*extra: str) -> list[str]:
    return ["referrals", "add", "--referrer-type", "employee", "--referrer-name", "Eve Adams",
            "--referrer-id", "emp-7", *extra]  # fmt: skip


def test_one_referral_from_options_then_the_same_person_again(cli):
    email = f"{unique_id('ref')}@northwind-traders.com"
    person = ("--email", email, "--first-name", "Nancy", "--last-name", "Davolio",
              "--company", "Northwind Traders", "--notes", "met at the fair",
              "--interest", "product/crm", "--interest", "product/erp")  # fmt: skip

    first = cli(*referral(*person))
    assert first.exit_code == 0, first.output
    lead_id = first.stdout.split("lead ")[1].split()[0]
    assert first.stdout.startswith("#1    new")
    assert "1 referral(s): 1 new, 0 duplicate, 0 suppressed, 0 rejected" in first.stdout

    again = cli(*referral(*person))
    assert again.exit_code == 0, again.output
    assert f"duplicate  lead {lead_id} (a touch was added" in again.stdout


def test_a_batch_from_a_file_prints_every_result_and_exits_1_on_a_rejection(cli, tmp_path):
    suppressed = f"{unique_id('no')}@competitor-inc.com"
    assert cli("suppressions", "add", "--email", suppressed).exit_code == 0
    batch = {
        "default_region": "DE",
        "leads": [
            {"email": f"{unique_id('a')}@contoso.de", "first_name": "Anna", "phone": "030 1234567",
             "referrer": {"type": "partner", "name": "Contoso"}},
            {"email": suppressed, "first_name": "Sam"},
            {"first_name": "No", "last_name": "Route"},
        ],
    }  # fmt: skip
    path = tmp_path / "referrals.json"
    path.write_text(json.dumps(batch))

    result = cli("referrals", "add", "--file", str(path), "--referrer-type", "customer",
                 "--referrer-name", "Fabrikam")  # fmt: skip

    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert lines[0].startswith("#1    new")
    assert lines[1].startswith("#2    suppressed")
    assert lines[2].startswith("#3    rejected")
    assert "3 referral(s): 1 new, 0 duplicate, 1 suppressed, 1 rejected" in result.stdout


def test_a_batch_with_no_acceptable_referral_shows_each_reason(cli, tmp_path):
    path = tmp_path / "bad.json"
    path.write_text(json.dumps([{"first_name": "Only", "last_name": "Names"},
                                {"email": "not-an-email", "company": "Acme"}]))  # fmt: skip

    result = cli("referrals", "add", "--file", str(path), "--referrer-type", "analyst",
                 "--referrer-name", "Gartner", "--json")  # fmt: skip

    assert result.exit_code == 1
    results = json.loads(result.stdout)
    assert [r["status"] for r in results] == ["rejected", "rejected"]
    assert all(r["errors"] for r in results)


def test_invalid_referrals_print_the_field_errors(cli):
    result = cli(*referral("--email", "x@fabrikam.com", "--interest", "not a tag"))
    assert result.exit_code == 1
    assert "422 Unprocessable Entity: Some referrals are invalid." in result.stderr
    assert "json.leads.0.interests.0:" in result.stderr


def test_referrals_need_a_referrer_and_a_person(cli):
    assert cli("referrals", "add", "--email", "a@b.com").exit_code == 2
    missing = cli(*referral())
    assert missing.exit_code == 2 and "give the person" in missing.stderr


def test_suppressions_add_list_remove(cli):
    email, domain = f"{unique_id('s')}@spam-haven.com", f"{unique_id('spam').replace('_', '-')}.com"
    added = cli("suppressions", "add", "--email", email.upper(), "--domain", f"https://{domain}/",
                "--reason", "unsubscribed")  # fmt: skip
    assert added.exit_code == 0, added.output
    assert f"suppressed email {email}  (unsubscribed)" in added.stdout
    assert f"suppressed domain {domain}" in added.stdout

    listed = cli("suppressions", "list", role="manager")
    assert listed.exit_code == 0, listed.output
    assert email in listed.stdout and domain in listed.stdout
    only_domains = cli("suppressions", "list", "--kind", "domain", "--json")
    assert {i["value"] for i in json.loads(only_domains.stdout)} == {domain}

    removed = cli("suppressions", "remove", "--email", email, "--domain", domain)
    assert removed.exit_code == 0, removed.output
    assert email not in cli("suppressions", "list").stdout

    again = cli("suppressions", "remove", "--email", email)
    assert again.exit_code == 1
    assert "404 Not Found" in again.stderr and "no email suppression" in again.stderr


def test_an_invalid_suppression_is_refused_with_the_reason(cli):
    result = cli("suppressions", "add", "--email", "nobody-at-all")
    assert result.exit_code == 1
    assert "422" in result.stderr and "is not an email address" in result.stderr


def test_suppressions_need_a_target(cli):
    result = cli("suppressions", "add", "--reason", "x")
    assert result.exit_code == 2
    assert "give at least one --email or --domain" in result.stderr


def test_a_referrer_id_is_enough(cli, intake_url, keys):
    email = f"{unique_id('ref')}@adventure-works.com"
    result = cli("referrals", "add", "--referrer-type", "customer", "--referrer-id", "cust-42",
                 "--email", email, "--first-name", "Alan", "--json")  # fmt: skip
    assert result.exit_code == 0, result.output
    [answer] = json.loads(result.stdout)
    lead = IntakeClient(intake_url, keys["marketing"]).json("GET", f"/leads/{answer['lead_id']}")
    [touch] = lead["touches"]
    assert (touch["source_id"], touch["source_name"]) == ("customer/cust-42", "customer: cust-42")


def test_the_list_row_fields_are_options(cli, intake_url, keys):
    email = f"{unique_id('ref')}@adventure-works.com"
    result = cli(*referral("--email", email, "--first-name", "Alan", "--phone", "020 7946 0111",
                           "--mobile", "07911 123456", "--region", "Kent", "--street2", "Floor 2",
                           "--employees", "11-50", "--revenue", "EUR 3m", "--default-region",
                           "GB", "--json"))  # fmt: skip
    assert result.exit_code == 0, result.output
    [answer] = json.loads(result.stdout)
    assert answer["status"] == "new"
    lead = IntakeClient(intake_url, keys["marketing"]).json("GET", f"/leads/{answer['lead_id']}")
    assert (lead["region"], lead["employees"]) == ("Kent", 11)
    assert lead["attributes"] == {"mobile": "+447911123456", "street2": "fl 2",
                                  "revenue": "EUR 3m"}  # fmt: skip


def test_a_referrer_needs_a_type_and_a_name_or_an_id(cli):
    person = ("--email", "a@b.com")
    no_name = cli("referrals", "add", "--referrer-type", "employee", *person)
    assert no_name.exit_code == 2 and "--referrer-name or --referrer-id" in no_name.stderr
    no_type = cli("referrals", "add", "--referrer-id", "emp-7", *person)
    assert no_type.exit_code == 2 and "--referrer-type" in no_type.stderr

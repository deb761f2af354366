"""Seed the countries: every ISO 3166 country, and the Asia Pacific region with the
official names, short names and aliases its outlooks use.
"""

from django.db import migrations

ASIA_PACIFIC = [
    # code, official name, short name, aliases
    ("AF", "Afghanistan", "Afghanistan", ["Islamic Emirate of Afghanistan", "Islamic Republic of Afghanistan"]),
    ("AU", "Australia", "Australia", ["Commonwealth of Australia"]),
    ("BD", "Bangladesh", "Bangladesh", ["People's Republic of Bangladesh"]),
    ("BT", "Bhutan", "Bhutan", ["Kingdom of Bhutan"]),
    ("BN", "Brunei Darussalam", "Brunei", []),
    ("KH", "Cambodia", "Cambodia", ["Kingdom of Cambodia"]),
    ("CN", "China", "China", ["People's Republic of China", "PRC"]),
    ("FJ", "Fiji", "Fiji", ["Republic of Fiji"]),
    ("IN", "India", "India", ["Republic of India"]),
    ("ID", "Indonesia", "Indonesia", ["Republic of Indonesia"]),
    ("JP", "Japan", "Japan", []),
    ("KI", "Kiribati", "Kiribati", []),
    (
        "KP",
        "Democratic People's Republic of Korea",
        "DPRK",
        ["North Korea", "Democratic Peoples' Republic of Korea", "Korea, Democratic People's Republic of"],
    ),
    ("KR", "Republic of Korea", "South Korea", ["Korea, Republic of", "ROK"]),
    ("LA", "Lao People's Democratic Republic", "Laos", ["Lao PDR"]),
    ("MY", "Malaysia", "Malaysia", []),
    ("MV", "Maldives", "Maldives", ["Republic of Maldives"]),
    ("MH", "Marshall Islands", "Marshall Islands", ["Republic of the Marshall Islands"]),
    ("FM", "Micronesia (Federated States of)", "Micronesia", ["Federated States of Micronesia"]),
    ("MN", "Mongolia", "Mongolia", []),
    ("MM", "Myanmar", "Myanmar", ["Burma", "Republic of the Union of Myanmar"]),
    ("NR", "Nauru", "Nauru", []),
    ("NP", "Nepal", "Nepal", ["Federal Democratic Republic of Nepal"]),
    ("NZ", "New Zealand", "New Zealand", ["Aotearoa"]),
    ("PK", "Pakistan", "Pakistan", ["Islamic Republic of Pakistan"]),
    ("PW", "Palau", "Palau", []),
    ("PG", "Papua New Guinea", "Papua New Guinea", ["PNG"]),
    ("PH", "Philippines", "Philippines", ["Republic of the Philippines", "The Philippines"]),
    ("WS", "Samoa", "Samoa", []),
    ("SG", "Singapore", "Singapore", []),
    ("SB", "Solomon Islands", "Solomon Islands", []),
    ("LK", "Sri Lanka", "Sri Lanka", ["Democratic Socialist Republic of Sri Lanka"]),
    ("TH", "Thailand", "Thailand", ["Kingdom of Thailand"]),
    ("TL", "Timor-Leste", "Timor-Leste", ["East Timor"]),
    ("TO", "Tonga", "Tonga", []),
    ("TV", "Tuvalu", "Tuvalu", []),
    ("VU", "Vanuatu", "Vanuatu", []),
    ("VN", "Viet Nam", "Viet Nam", ["Vietnam", "Socialist Republic of Viet Nam"]),
]


def seed(apps, schema_editor):
    from django_countries.data import COUNTRIES

    Region = apps.get_model("assessments", "Region")
    Country = apps.get_model("assessments", "Country")
    region, _ = Region.objects.get_or_create(name="Asia Pacific", defaults={"slug": "asia-pacific"})
    curated = {code for code, *_ in ASIA_PACIFIC}
    for code, official, short, aliases in ASIA_PACIFIC:
        Country.objects.get_or_create(
            code=code,
            defaults={"official_name": official, "short_name": short, "aliases": aliases, "region": region},
        )
    for code, name in COUNTRIES.items():
        if code not in curated:
            Country.objects.get_or_create(
                code=code, defaults={"official_name": str(name), "short_name": str(name)}
            )


class Migration(migrations.Migration):
    dependencies = [("assessments", "0002_risk_framework_and_groups")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]

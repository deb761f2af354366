from tests.html import parse


def test_published_sample_is_listed_on_home_page(client, published_sample):
    response = client.get("/")
    assert response.status_code == 200
    assert "Asia Pacific Regional Outlook November 2023" in parse(response.content).words()

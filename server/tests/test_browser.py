"""The dashboard in a real headless Chromium against the real server: sign in, every page in light, dark and at
phone width (screenshots in tests/screenshots/), a device token made and revoked, and hostile synced text shown as
text."""

from __future__ import annotations

from pathlib import Path

import pytest
from browser import APT_HINT, Browser, available
from documents import session_document
from live_server import discard, make_server

pytestmark = pytest.mark.skipif(not available(), reason=f"Debian's Chromium and its driver are missing: {APT_HINT}")

HEARD = "Hi Walter, this is Sam. <b>It's now</b> and on time to talk about your acres?"
HOSTILE = '<img src=x onerror="document.title=\'pwned\'"><script>document.title="pwned"</script>'


@pytest.fixture(scope="module")
def demo_server():
    server = make_server()
    personas = Path(__file__).resolve().parents[2] / "resources" / "personas.json"  # the app's sellers, when present
    result = server.cli("demo", "--password", "demo-password-1", *(["--personas", str(personas)] * personas.exists()))
    assert result.returncode == 0, result.stderr
    token = server.cli("create-token", "sam@demo.example").stdout.strip()
    server.start(workers=2)
    document = session_document(device="hostile")
    document["persona"]["name"] = HOSTILE
    document["transcript"][1]["text"] = HOSTILE
    document["grade"]["strengths"] = [HOSTILE]
    status, _, created = server.request(
        "PUT", f"/api/v1/training-sessions/{document['client_session_id']}", body=document, token=token
    )
    assert status == 201
    server.hostile_id = created["id"]
    corrected = session_document(device="corrected")
    corrected["transcript"][1]["text"] = "Hi Walter, this is Sam. Is now a good time to talk about your acres?"
    corrected["transcript"][1]["heard_text"] = HEARD
    status, _, created = server.request(
        "PUT", f"/api/v1/training-sessions/{corrected['client_session_id']}", body=corrected, token=token
    )
    assert status == 201
    server.corrected_id = created["id"]
    yield server
    discard(server)


@pytest.fixture(scope="module")
def browser():
    chrome = Browser()
    yield chrome
    chrome.quit()


def wait_for(browser, css: str, timeout: float = 20):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(browser.driver, timeout).until(ec.presence_of_element_located((By.CSS_SELECTOR, css)))


def sign_in(browser, server, email="coach@demo.example", password="demo-password-1"):
    from selenium.webdriver.common.by import By

    driver = browser.driver
    driver.get(f"http://127.0.0.1:{server.port}/accounts/login/")
    driver.delete_all_cookies()  # signed out, whoever was signed in before
    driver.get(f"http://127.0.0.1:{server.port}/accounts/login/")
    wait_for(browser, "#id_username").send_keys(email)
    driver.find_element(By.ID, "id_password").send_keys(password)
    driver.find_element(By.CSS_SELECTOR, "form.stack button[type=submit]").click()
    wait_for(browser, "header.top nav")


def test_the_coach_sees_every_page_in_light_and_dark(browser, demo_server):
    from selenium.webdriver.common.by import By

    driver = browser.driver
    browser.color_scheme("light")
    driver.get(f"http://127.0.0.1:{demo_server.port}/")
    wait_for(browser, "#id_username")
    browser.screenshot("login-light")
    sign_in(browser, demo_server)
    assert "Team overview" in driver.find_element(By.TAG_NAME, "h1").text
    rows = driver.find_elements(By.CSS_SELECTOR, "tbody tr")
    assert len(rows) == 7  # the coach and six trainees
    pages = {"overview": "/"}
    member_link = driver.find_element(By.LINK_TEXT, "Priya Nair").get_attribute("href")
    pages["member"] = member_link
    driver.get(member_link)
    wait_for(browser, "svg.chart polyline.overall")
    pages["call"] = driver.find_element(By.CSS_SELECTOR, "tbody td a").get_attribute("href")
    pages["leaderboards"] = "/leaderboards/?by=score&period=all"
    pages["devices"] = "/devices/"
    pages["people"] = "/people/"
    pages["personas"] = "/personas/"
    pages["persona-new"] = "/personas/new/"
    pages["limits"] = "/limits/"
    for scheme in ("light", "dark"):
        browser.color_scheme(scheme)
        for name, address in pages.items():
            driver.get(address if address.startswith("http") else f"http://127.0.0.1:{demo_server.port}{address}")
            wait_for(browser, "main h1")
            browser.screenshot(f"{name}-{scheme}")
    background = driver.execute_script("return getComputedStyle(document.body).backgroundColor")
    assert background == "rgb(15, 18, 22)"  # the dark palette applied


def test_pages_fit_a_phone(browser, demo_server):
    driver = browser.driver
    sign_in(browser, demo_server)
    browser.color_scheme("light")
    browser.size(390, 844, mobile=True)
    try:
        for name, address in (("overview", "/"), ("member", "/members/3/")):
            driver.get(f"http://127.0.0.1:{demo_server.port}{address}")
            wait_for(browser, "main h1")
            # Tables may scroll inside their box; the page itself must not be wider than the phone.
            width = driver.execute_script("return document.documentElement.scrollWidth")
            assert width <= 390, (name, width)
            browser.screenshot(f"{name}-phone")
    finally:
        driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})


def test_hostile_synced_text_is_shown_as_text(browser, demo_server):
    from selenium.webdriver.common.by import By

    driver = browser.driver
    sign_in(browser, demo_server)
    driver.get(f"http://127.0.0.1:{demo_server.port}/calls/{demo_server.hostile_id}/")
    heading = wait_for(browser, "main h1")
    assert HOSTILE in heading.text
    assert driver.title != "pwned"
    assert not driver.find_elements(By.CSS_SELECTOR, "main img, main script")
    browser.screenshot("call-hostile")


def test_a_corrected_line_is_marked_with_what_was_heard(browser, demo_server):
    from selenium.webdriver.common.by import By

    driver = browser.driver
    sign_in(browser, demo_server)
    for scheme in ("light", "dark"):
        browser.color_scheme(scheme)
        driver.get(f"http://127.0.0.1:{demo_server.port}/calls/{demo_server.corrected_id}/")
        wait_for(browser, "main h1")
        note = driver.find_element(By.CSS_SELECTOR, ".corrected-note")
        assert note.text.startswith("1 line corrected by the trainee after the call")
        (mark,) = driver.find_elements(By.CSS_SELECTOR, ".transcript .corrected")
        assert mark.is_displayed() and mark.text == "corrected by the trainee"
        heard = driver.find_element(By.CSS_SELECTOR, ".transcript .heard")
        assert heard.text == f"heard as: {HEARD}"  # the tags shown as text
        assert not driver.find_elements(By.CSS_SELECTOR, ".transcript b")
        browser.screenshot(f"call-corrected-{scheme}")


def test_a_member_makes_a_device_token_that_works_once_shown_and_then_revokes_it(browser, demo_server):
    from selenium.webdriver.common.by import By

    driver = browser.driver
    sign_in(browser, demo_server, "mei@demo.example")
    driver.get(f"http://127.0.0.1:{demo_server.port}/devices/")
    wait_for(browser, "#id_device_name").send_keys("Mei's laptop")
    driver.find_element(By.CSS_SELECTOR, "form.stack button[type=submit]").click()
    token = wait_for(browser, "#new-token").text.strip()
    browser.screenshot("devices-new-token")
    assert demo_server.request("GET", "/api/v1/usage/today", token=token)[0] == 200
    driver.get(f"http://127.0.0.1:{demo_server.port}/devices/")
    wait_for(browser, "main h1")
    assert token not in driver.page_source  # shown once only
    driver.find_element(By.CSS_SELECTOR, "button.danger").click()
    wait_for(browser, ".notice")
    assert demo_server.request("GET", "/api/v1/usage/today", token=token)[0] == 401

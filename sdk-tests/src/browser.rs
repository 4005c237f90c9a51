//! Headless Chromium driven over WebDriver, for tests of the hosted UI.
//!
//! [`Browser::start`] runs `chromedriver` on a free loopback port as a child
//! process (in its own process group, so the Chromium it launches goes with
//! it when the [`Browser`] is dropped), opens a session with a fresh profile
//! directory and offers the few steps the hosted-UI tests take: go to a URL,
//! fill a field by name, press `#submit`, read `main[data-page]`, take a
//! screenshot.
//!
//! Nothing is skipped when Chromium is missing: [`Browser::start`] panics
//! with the command that installs it (`scripts/test.sh` runs it on CI).

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{Value, json};
use tokio::process::{Child, Command};
use tokio::sync::{Semaphore, SemaphorePermit};

/// The Chromium binary of Debian's `chromium` package.
pub const CHROMIUM: &str = "/usr/bin/chromium";
/// The WebDriver server of Debian's `chromium-driver` package.
pub const CHROMEDRIVER: &str = "chromedriver";
/// The environment variable naming the directory screenshots are written to.
pub const SCREENSHOTS_ENV: &str = "COGNITO_SCREENSHOTS_DIR";
/// What to run when Chromium or its driver is missing.
pub const INSTALL_HINT: &str = "apt-get update && apt-get install -y --no-install-recommends \
                                chromium chromium-driver (scripts/test.sh does this)";

/// How long chromedriver may take to answer `/status`, and a page to load.
const STARTUP: Duration = Duration::from_secs(20);
/// How long a submitted form may take to be replaced by the next document.
const NAVIGATION: Duration = Duration::from_secs(15);

/// At most two browsers at once: the test binaries run their tests in
/// parallel threads, and each Chromium wants a core of its own.
static BROWSERS: Semaphore = Semaphore::const_new(2);

/// The browser window's size.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WindowSize {
    /// A phone's viewport (420 x 900 CSS pixels, emulated): the default
    /// look must hold here.
    Phone,
    /// A laptop's screen (1280 x 900).
    Desktop,
}

impl WindowSize {
    fn arg(self) -> &'static str {
        match self {
            WindowSize::Phone => "--window-size=420,900",
            WindowSize::Desktop => "--window-size=1280,900",
        }
    }
}

/// A chromedriver child process with one open session.
pub struct Browser {
    client: Client,
    driver: Child,
    screenshots: Option<PathBuf>,
    _profile: tempfile::TempDir,
    _permit: SemaphorePermit<'static>,
}

impl Browser {
    /// Starts chromedriver and a headless Chromium of `size`; screenshots go
    /// to `$COGNITO_SCREENSHOTS_DIR` when it is set (else nowhere).
    ///
    /// Panics, naming the install command, when Chromium or chromedriver is
    /// missing, and when the driver does not become ready within 20 s.
    pub async fn start(size: WindowSize) -> Self {
        let dir = std::env::var_os(SCREENSHOTS_ENV)
            .filter(|d| !d.is_empty())
            .map(PathBuf::from);
        Self::start_with_screenshots(size, dir).await
    }

    /// Like [`Browser::start`], with screenshots written to `dir` (if any)
    /// whatever the environment says.
    pub async fn start_with_screenshots(size: WindowSize, dir: Option<PathBuf>) -> Self {
        assert!(
            Path::new(CHROMIUM).exists(),
            "{CHROMIUM} not found; install Chromium: {INSTALL_HINT}"
        );
        let permit = BROWSERS.acquire().await.expect("browser semaphore open");
        let port = free_port();
        let mut driver = Command::new(CHROMEDRIVER);
        driver
            .arg(format!("--port={port}"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            // Its own group: dropping the Browser kills chromedriver and the
            // Chromium processes it started, even when a test panics.
            .process_group(0)
            .kill_on_drop(true);
        let driver = match driver.spawn() {
            Ok(child) => child,
            Err(e) => panic!("cannot run {CHROMEDRIVER} ({e}); install it: {INSTALL_HINT}"),
        };
        let url = format!("http://127.0.0.1:{port}");
        let mut guard = DriverGuard(Some(driver));
        wait_ready(&url).await;

        let profile = tempfile::tempdir().expect("temporary Chromium profile");
        let mut options = json!({
            "binary": CHROMIUM,
            "args": [
                "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--disable-quic", size.arg(),
                // Containers' /dev/shm is often 64 MB, too small for Chromium.
                "--disable-dev-shm-usage",
                format!("--user-data-dir={}", profile.path().display()),
            ],
        });
        if size == WindowSize::Phone {
            // Headless windows are at least 500 px wide: the phone's
            // viewport comes from device emulation instead.
            options["mobileEmulation"] = json!({
                "deviceMetrics": { "width": 420, "height": 900, "pixelRatio": 1.0 },
            });
        }
        let mut caps = serde_json::Map::new();
        caps.insert("goog:chromeOptions".into(), options);
        let client = ClientBuilder::rustls()
            .expect("rustls WebDriver connector")
            .capabilities(caps)
            .connect(&url)
            .await
            .unwrap_or_else(|e| panic!("WebDriver session with Chromium: {e}"));
        Browser {
            client,
            driver: guard.0.take().expect("driver child"),
            screenshots: dir,
            _profile: profile,
            _permit: permit,
        }
    }

    /// The WebDriver client, for steps the helpers below do not cover.
    pub fn client(&self) -> &Client {
        &self.client
    }

    /// The viewport's width in CSS pixels (`window.innerWidth`).
    pub async fn viewport_width(&self) -> u64 {
        self.client
            .execute("return window.innerWidth", vec![])
            .await
            .expect("window.innerWidth")
            .as_u64()
            .expect("a width")
    }

    /// Navigates to `url` and waits for it to load.
    pub async fn goto(&self, url: &str) {
        self.client
            .goto(url)
            .await
            .unwrap_or_else(|e| panic!("navigate to {url}: {e}"));
    }

    /// The address of the current document.
    pub async fn url(&self) -> String {
        self.client
            .current_url()
            .await
            .expect("current URL")
            .to_string()
    }

    /// The current page's name: `main[data-page]`, or None when the document
    /// has no such element (e.g. the test's callback page).
    pub async fn page(&self) -> Option<String> {
        match self.client.find(Locator::Css("main[data-page]")).await {
            Ok(main) => main.attr("data-page").await.expect("data-page attribute"),
            Err(_) => None,
        }
    }

    /// Asserts that the current page is `name`, showing the URL and the text
    /// of the page when it is not.
    pub async fn expect_page(&self, name: &str) {
        let page = self.page().await;
        if page.as_deref() != Some(name) {
            let body = match self.client.find(Locator::Css("body")).await {
                Ok(b) => b.text().await.unwrap_or_default(),
                Err(_) => String::new(),
            };
            panic!(
                "expected page {name:?}, got {page:?} at {}\n--- page text ---\n{body}",
                self.url().await
            );
        }
    }

    /// The text of the element matching the CSS `selector`, if there is one.
    pub async fn text(&self, selector: &str) -> Option<String> {
        match self.client.find(Locator::Css(selector)).await {
            Ok(e) => Some(e.text().await.expect("element text")),
            Err(_) => None,
        }
    }

    /// Whether an element matches the CSS `selector`.
    pub async fn has(&self, selector: &str) -> bool {
        self.client.find(Locator::Css(selector)).await.is_ok()
    }

    /// Replaces the value of the form field named `name` with `value`.
    pub async fn fill(&self, name: &str, value: &str) {
        let field = self
            .client
            .find(Locator::Css(&format!("[name=\"{name}\"]")))
            .await
            .unwrap_or_else(|e| panic!("no field named {name:?} on this page: {e}"));
        field.clear().await.expect("clear the field");
        field.send_keys(value).await.expect("type into the field");
    }

    /// Fills the field named `name` when the page shows one (a hidden or
    /// absent field is left alone); returns whether it did.
    pub async fn fill_if_present(&self, name: &str, value: &str) -> bool {
        let shown = match self
            .client
            .find(Locator::Css(&format!("[name=\"{name}\"]")))
            .await
        {
            Ok(field) => field.is_displayed().await.unwrap_or(false),
            Err(_) => false,
        };
        if shown {
            self.fill(name, value).await;
        }
        shown
    }

    /// Clicks the element matching `selector` and waits until the next
    /// document has replaced this one (a form post or a link).
    pub async fn click_and_wait(&self, selector: &str) {
        let old = self
            .client
            .find(Locator::Css("html"))
            .await
            .expect("current document");
        self.client
            .find(Locator::Css(selector))
            .await
            .unwrap_or_else(|e| panic!("nothing to click at {selector:?}: {e}"))
            .click()
            .await
            .unwrap_or_else(|e| panic!("click {selector:?}: {e}"));
        let deadline = Instant::now() + NAVIGATION;
        // The old document's root goes stale once the new one has loaded.
        while old.tag_name().await.is_ok() {
            assert!(
                Instant::now() < deadline,
                "clicking {selector:?} led nowhere within {NAVIGATION:?}"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let deadline = Instant::now() + NAVIGATION;
        loop {
            let state = self
                .client
                .execute("return document.readyState", vec![])
                .await;
            if matches!(state, Ok(Value::String(ref s)) if s == "complete") {
                break;
            }
            assert!(Instant::now() < deadline, "the next page did not load");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Presses the main form's submit button (`#submit`) and waits for the
    /// next page.
    pub async fn submit(&self) {
        self.click_and_wait("#submit").await;
    }

    /// Writes a PNG of the window to `<screenshots dir>/<name>.png` when a
    /// directory was given; returns the file written.
    pub async fn screenshot(&self, name: &str) -> Option<PathBuf> {
        let dir = self.screenshots.as_ref()?;
        std::fs::create_dir_all(dir).expect("screenshot directory");
        let png = self.client.screenshot().await.expect("screenshot");
        let path = dir.join(format!("{name}.png"));
        std::fs::write(&path, png).unwrap_or_else(|e| panic!("write {}: {e}", path.display()));
        Some(path)
    }

    /// Ends the session (Chromium quits) and stops chromedriver.
    pub async fn close(mut self) {
        let _ = self.client.clone().close().await;
        kill_group(&mut self.driver);
        let _ = self.driver.wait().await;
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        kill_group(&mut self.driver);
    }
}

/// Kills the driver's child until the session is open (a failed start).
struct DriverGuard(Option<Child>);

impl Drop for DriverGuard {
    fn drop(&mut self) {
        if let Some(child) = self.0.as_mut() {
            kill_group(child);
        }
    }
}

/// SIGKILL to the process group led by `child` (chromedriver and the
/// browser it started), by its id only.
fn kill_group(child: &mut Child) {
    let group = child
        .id()
        .and_then(|id| i32::try_from(id).ok())
        .and_then(rustix::process::Pid::from_raw);
    if let Some(group) = group {
        let _ = rustix::process::kill_process_group(group, rustix::process::Signal::KILL);
    }
    let _ = child.start_kill();
}

/// A loopback port nobody listens on right now.
fn free_port() -> u16 {
    TcpListener::bind(("127.0.0.1", 0))
        .and_then(|l| l.local_addr())
        .expect("a free loopback port")
        .port()
}

/// Polls chromedriver's `/status` until it reports ready (bounded).
async fn wait_ready(url: &str) {
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(2))
        .build()
        .expect("HTTP client");
    let deadline = Instant::now() + STARTUP;
    loop {
        if let Ok(resp) = http.get(format!("{url}/status")).send().await
            && let Ok(v) = resp.json::<Value>().await
            && v["value"]["ready"] == json!(true)
        {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "{CHROMEDRIVER} did not become ready within {STARTUP:?}; is it installed? {INSTALL_HINT}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

using System.Globalization;
using GradCamSharp.Web.Study;
using OpenQA.Selenium;
using OpenQA.Selenium.Chrome;

namespace GradCamSharp.Web.Tests;

/// <summary>
/// The page in a real headless browser (Debian's chromium and chromium-driver, which ./run-tests installs), driven
/// with Selenium against the service on Kestrel: what a user does, and what they see at desktop and phone width.
/// Screenshots go to .build/screenshots/.
/// </summary>
public sealed class BrowserTests : IDisposable
{
    private const string Chromium = "/usr/bin/chromium";
    private const string ChromeDriver = "/usr/bin/chromedriver";
    private static readonly string Screenshots = Path.Combine(SharedFixtures.RepositoryRoot, ".build", "screenshots");

    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    private static ChromeDriver Browser(int width, int height)
    {
        Skip.IfNot(File.Exists(Chromium), InstallLogs.SkipReason("chromium", "chromium"));
        Skip.IfNot(File.Exists(ChromeDriver), InstallLogs.SkipReason("chromium-driver", "chromedriver"));
        var options = new ChromeOptions { BinaryLocation = Chromium };
        // --no-sandbox: CI runs as root, where Chromium's sandbox refuses to start.
        options.AddArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
            $"--window-size={width},{height}");
        ChromeDriverService service = ChromeDriverService.CreateDefaultService(Path.GetDirectoryName(ChromeDriver),
            Path.GetFileName(ChromeDriver));
        service.SuppressInitialDiagnosticInformation = true;
        service.HideCommandPromptWindow = true;
        return new ChromeDriver(service, options, TimeSpan.FromMinutes(3));
    }

    private static T WaitFor<T>(ChromeDriver browser, Func<ChromeDriver, T?> condition, string what)
    {
        for (int i = 0; i < 1200; i++)
        {
            if (condition(browser) is T value && !Equals(value, default(T))) return value;
            Thread.Sleep(100);
        }
        throw new TimeoutException($"the page never showed {what}; it said: " +
            browser.FindElement(By.Id("status")).Text);
    }

    private static void Save(ChromeDriver browser, string name)
    {
        Directory.CreateDirectory(Screenshots);
        ((ITakesScreenshot)browser).GetScreenshot().SaveAsFile(Path.Combine(Screenshots, name));
    }

    private static object Script(ChromeDriver browser, string script) =>
        ((IJavaScriptExecutor)browser).ExecuteScript(script)!;

    [SkippableFact]
    public async Task UploadDog_ChooseDog_ShowsTheMapsDecoded_AtDesktopAndPhoneWidth()
    {
        await using DemoServer server = await DemoServer.StartAsync(new ServerOptions(), kestrel: true);
        using ChromeDriver browser = Browser(1280, 1400);
        browser.Navigate().GoToUrl(server.Address);
        WaitFor(browser, b => b.FindElements(By.CssSelector("#class option[value='dog']")).FirstOrDefault(),
            "the model's classes").Click();
        browser.FindElement(By.Id("image")).SendKeys(Path.Combine(SharedFixtures.Samples, "dog.jpg"));

        browser.FindElement(By.CssSelector("#form button[type=submit]")).Click();

        var maps = WaitFor(browser, b => b.FindElements(By.CssSelector("#results .maps img")) is { Count: >= 4 } found
            ? found : null, "four maps");
        WaitFor(browser, b => (bool)Script(b, "return [...document.querySelectorAll('#results img')]" +
            ".every(i => i.complete && i.naturalWidth > 0 && i.naturalHeight > 0)"), "every map decoded");
        Assert.Equal(["Grad-CAM", "Guided Backprop", "Guided Grad-CAM", "Counterfactual"],
            maps.Select(m => m.GetAttribute("alt") ?? "").ToArray()[..4]);
        Assert.Contains("dog", browser.FindElement(By.CssSelector("#results h2")).Text);
        Assert.Equal(5, browser.FindElements(By.CssSelector("#top-classes li")).Count);
        Assert.NotEmpty(browser.FindElements(By.CssSelector("a[download='manifest.json']")));
        Save(browser, "demo.png");

        browser.Manage().Window.Size = new System.Drawing.Size(390, 844);
        Assert.True((bool)Script(browser,
                "return document.documentElement.scrollWidth <= window.innerWidth"),
            "at phone width the page must not scroll sideways");
        Save(browser, "demo-phone.png");
    }

    [SkippableFact]
    public async Task ServedDetector_UploadAScene_ShowsItsBoxes_ThenASectionPerDetection()
    {
        await using DemoServer server = await DemoServer.StartAsync(new ServerOptions { Model = "shapes-detector" },
            kestrel: true);
        using var world = new GradCamSharp.Scenes.ShapeWorld();
        using GradCamSharp.Scenes.Scene scene = world.Generate(7070, 2);
        string photo = Path.Combine(_folder.Path, "scene.png");
        GradCamSharp.Imaging.PngFile.Save(scene.Image, photo);
        using ChromeDriver browser = Browser(1280, 1400);
        browser.Navigate().GoToUrl(server.Address);
        WaitFor(browser, b => b.FindElements(By.CssSelector("#class option")).Count > 1 ? true : (bool?)null,
            "the model's classes");
        browser.FindElement(By.Id("image")).SendKeys(photo);

        browser.FindElement(By.CssSelector("#form button[type=submit]")).Click();

        IWebElement boxes = WaitFor(browser, b => b.FindElements(By.Id("detections")).FirstOrDefault(),
            "the detections' boxes");
        WaitFor(browser, b => (bool)Script(b, "return [...document.querySelectorAll('#results img')]" +
            ".every(i => i.complete && i.naturalWidth > 0 && i.naturalHeight > 0)"), "every picture decoded");
        string[] headings = [.. browser.FindElements(By.CssSelector("#results section.target h2")).Select(h => h.Text)];
        Assert.NotEmpty(headings);
        Assert.Equal(headings.Length, browser.FindElements(By.CssSelector("#top-classes li")).Count);
        Assert.Contains($"{headings.Length} detections", boxes.GetAttribute("alt") ?? "");
        // One map per detection, by the method detect uses, checked by default.
        Assert.All(browser.FindElements(By.CssSelector("#results .maps img")),
            map => Assert.Equal("HiResCAM", map.GetAttribute("alt")));
        for (int k = 0; k < headings.Length; k++)
        {
            Assert.StartsWith($"{k + 1}: ", headings[k]);
            Assert.Contains(scene.Objects, o => headings[k].Contains(o.Name, StringComparison.Ordinal));
        }
        Save(browser, "demo-detector.png");
    }

    [SkippableFact]
    public async Task StudyFlow_ThreeAnswers_ShowOnTheResultsPage()
    {
        await using DemoServer server = await DemoServer.StartAsync(new ServerOptions
        {
            Study = new StudyOptions { Name = "browser", DatabasePath = Path.Combine(_folder.Path, "study.db") },
        }, kestrel: true);
        using ChromeDriver browser = Browser(1280, 1000);
        browser.Navigate().GoToUrl(new Uri(server.Address, "study"));

        for (int trial = 1; trial <= 3; trial++)
        {
            int expected = trial;
            WaitFor(browser, b => b.FindElement(By.Id("prompt")).Text.StartsWith($"Trial {expected}.",
                StringComparison.Ordinal) && b.FindElements(By.CssSelector("#choices button")).Count >= 3,
                $"trial {expected}");
            WaitFor(browser, b => (bool)Script(b, "return [...document.querySelectorAll('#images img')]" +
                ".every(i => i.complete && i.naturalWidth > 0)"), "the trial's maps");
            if (trial == 1) Save(browser, "study.png");
            browser.FindElements(By.CssSelector("#choices button"))[0].Click();
        }
        WaitFor(browser, b => b.FindElement(By.Id("count")).Text == "Answered: 3.", "three answers recorded");

        browser.Navigate().GoToUrl(new Uri(server.Address, "study/results"));

        int answers = WaitFor(browser, b => b.FindElements(By.CssSelector("tbody tr"))
            .Sum(row => int.Parse(AnswersOf(row), CultureInfo.InvariantCulture)), "the results");
        Assert.Equal(3, answers);
        Save(browser, "study-results.png");
    }

    /// <summary>A results row's "answers" cell: the second column of the discrimination table, the fourth of trust's.
    /// </summary>
    private static string AnswersOf(IWebElement row) =>
        row.FindElements(By.TagName("td"))[row.FindElement(By.XPath("ancestor::table")).GetAttribute("id") == "trust"
            ? 3 : 1].Text;
}

using System.Net;
using System.Text.Json;
using AwsRunner.Sim.Metadata;
using AwsRunner.Sim.Spot;
using Microsoft.Extensions.Time.Testing;

namespace AwsRunner.Tests.Sim.Metadata;

public sealed class MetadataServiceTests
{
    private const string Instance = "i-0123456789abcdef0";

    private static readonly DateTimeOffset Start = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private FakeTimeProvider time = new(Start);
    private HttpClient http = new();
    private MetadataService? service;

    private MetadataService Service => service ?? throw new InvalidOperationException("no service");

    [SetUp]
    public async Task StartAsync()
    {
        time = new FakeTimeProvider(Start);
        http = new HttpClient();
        service = await MetadataService.StartAsync(time, CancellationToken.None);
        Service.Serve(new InstanceMetadata(Instance, "c5.large", "ami-760aaa0f"));
    }

    [TearDown]
    public async Task StopAsync()
    {
        http.Dispose();
        if (service is not null)
        {
            await service.DisposeAsync();
        }
    }

    [Test]
    public async Task Get_WithAToken_AnswersTheInstancesIdAndType()
    {
        var token = await TokenAsync(Instance, 60);

        Assert.Multiple(async () =>
        {
            Assert.That(await GetAsync("instance-id", token), Is.EqualTo((HttpStatusCode.OK, Instance)));
            Assert.That(await GetAsync("instance-type", token), Is.EqualTo((HttpStatusCode.OK, "c5.large")));
            Assert.That(Service.BaseUrl(Instance), Is.EqualTo($"{Service.Url}{Instance}"), "no trailing slash: the runner appends /latest/...");
        });
    }

    [Test]
    public async Task Get_WithoutATokenOrWithAnExpiredOne_IsRefused401AsImdsV2Does()
    {
        var token = await TokenAsync(Instance, 1);
        var before = await GetAsync("instance-id", token);
        time.Advance(TimeSpan.FromSeconds(1));

        Assert.Multiple(async () =>
        {
            Assert.That(before.Status, Is.EqualTo(HttpStatusCode.OK));
            Assert.That((await GetAsync("instance-id", token)).Status, Is.EqualTo(HttpStatusCode.Unauthorized), "expired");
            Assert.That((await GetAsync("instance-id", null)).Status, Is.EqualTo(HttpStatusCode.Unauthorized), "no token");
            Assert.That((await GetAsync("instance-id", "made-up")).Status, Is.EqualTo(HttpStatusCode.Unauthorized), "not a token");
        });
    }

    [Test]
    public async Task Get_TokenOfAnotherInstance_IsRefused()
    {
        Service.Serve(new InstanceMetadata("i-other", "t3.micro", "ami-760aaa0f"));
        var others = await TokenAsync("i-other", 60);

        Assert.That((await GetAsync("instance-id", others)).Status, Is.EqualTo(HttpStatusCode.Unauthorized));
    }

    [TestCase(null)]
    [TestCase("0")]
    [TestCase("21601")]
    public async Task Put_TokenWithoutAValidTtl_IsABadRequest(string? ttl)
    {
        using var request = new HttpRequestMessage(HttpMethod.Put, $"{Service.BaseUrl(Instance)}/latest/api/token");
        if (ttl is not null)
        {
            request.Headers.Add(MetadataService.TtlHeader, ttl);
        }

        using var response = await http.SendAsync(request);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
    }

    [Test]
    public async Task Get_InstanceAction_IsNotFoundUntilTheNoticeThenTellsTheTerminationTime()
    {
        var token = await TokenAsync(Instance, 600);
        var noticeAt = time.GetUtcNow() + TimeSpan.FromSeconds(30);
        var none = await GetAsync("spot/instance-action", token);
        Service.Serve(new InstanceMetadata(Instance, "c5.large", "ami-760aaa0f") { Interruption = Interruption.NoticedAt(noticeAt, TimeSpan.FromMinutes(1)) });
        var planned = await GetAsync("spot/instance-action", token);
        time.Advance(TimeSpan.FromSeconds(30));
        var noticed = await GetAsync("spot/instance-action", token);

        Assert.Multiple(() =>
        {
            Assert.That(none.Status, Is.EqualTo(HttpStatusCode.NotFound));
            Assert.That(planned.Status, Is.EqualTo(HttpStatusCode.NotFound), "before its notice time");
            Assert.That(noticed.Status, Is.EqualTo(HttpStatusCode.OK));
        });
        var action = JsonDocument.Parse(noticed.Body).RootElement;
        Assert.Multiple(() =>
        {
            Assert.That(action.GetProperty("action").GetString(), Is.EqualTo("terminate"));
            Assert.That(action.GetProperty("time").GetString(), Is.EqualTo("2026-01-01T00:02:30Z"), "two minutes after the notice");
        });
    }

    [Test]
    public async Task Get_InstanceNoLongerServed_IsNotFound()
    {
        var token = await TokenAsync(Instance, 60);
        Service.Remove(Instance);

        Assert.That((await GetAsync("instance-id", token)).Status, Is.EqualTo(HttpStatusCode.NotFound));
    }

    private async Task<string> TokenAsync(string instance, int ttlSeconds)
    {
        using var request = new HttpRequestMessage(HttpMethod.Put, $"{Service.BaseUrl(instance)}/latest/api/token");
        request.Headers.Add(MetadataService.TtlHeader, ttlSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture));
        using var response = await http.SendAsync(request);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        return await response.Content.ReadAsStringAsync();
    }

    private async Task<(HttpStatusCode Status, string Body)> GetAsync(string key, string? token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"{Service.BaseUrl(Instance)}/latest/meta-data/{key}");
        if (token is not null)
        {
            request.Headers.Add(MetadataService.TokenHeader, token);
        }

        using var response = await http.SendAsync(request);
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }
}

using System.Diagnostics;
using AwsRunner.Bench;
using AwsRunner.Bench.Infrastructure;
using AwsRunner.Bench.Measurements;
using AwsRunner.Bench.Report;
using AwsRunner.Sim.Moto;
using AwsRunner.Tests.Support;

// The benchmark suite of issue 7 (docs/benchmarks.md); bench/run builds awsrunner in Release and starts it.
// Linux only, like the simulated fleet it starts (sshd, flock, /proc).
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]
using var cancel = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    // The first Ctrl-C stops the suite cleanly: moto, the proxy and the work folder still go away.
    e.Cancel = !cancel.IsCancellationRequested;
    cancel.Cancel();
};

// The queue measurement's child process (QueuePublishRun): its CPU time and peak memory are the publishing's alone.
if (args is [QueuePublishRun.PublishMode, var endpoint, var name, var rows, var attempts])
{
    return await QueuePublishRun.PublishAsync(new Uri(endpoint), name, int.Parse(rows, System.Globalization.CultureInfo.InvariantCulture),
        int.Parse(attempts, System.Globalization.CultureInfo.InvariantCulture), cancel.Token);
}

if (args is [QueuePublishRun.SignMode])
{
    return await QueuePublishRun.SignSpeedAsync(100_000);
}

if (args is ["--help"] or ["-h"])
{
    Console.WriteLine(BenchOptions.Usage);
    return 0;
}

BenchOptions options;
try
{
    options = BenchOptions.Parse(args);
}
catch (ArgumentException e)
{
    Console.Error.WriteLine(e.Message);
    return 2;
}

IMeasurement[] measurements = [new FanOutMeasurement(), new Ec2EconomyMeasurement(), new FetchMeasurement(), new JobFileMeasurement(), new StartupMeasurement(), new LocalExecutorMeasurement(), new QueueMeasurement(), new FleetDispatchMeasurement()];
var cli = options.Cli ?? Repository.File("AwsRunner.Cli", "bin", "Release", "net10.0", "awsrunner");
var emptyProgram = Repository.File("bench", "EmptyProgram", "bin", "Release", "net10.0", "EmptyProgram");
foreach (var program in new[] { cli, emptyProgram }.Where(p => !File.Exists(p)))
{
    Console.Error.WriteLine($"{program} is missing: run the suite with bench/run, which builds it");
    return 2;
}

using var work = WorkFolder.Create();
var environment = new ToolEnvironment(work);
environment.ApplyToThisProcess();
var tools = new ToolRunner(environment);
await using var moto = await MotoProcess.StartAsync(
    MotoProcess.Find() ?? throw new InvalidOperationException("moto_server is not on PATH (pip install 'moto[server]')"),
    [("TMPDIR", work.Fresh("moto-tmp"))],
    cancel.Token);
await using var proxy = await CountingProxy.StartAsync(moto.Url, cancel.Token);
var context = new BenchContext { Cli = cli, EmptyProgram = emptyProgram, Work = work, Tools = tools, Moto = moto, Proxy = proxy, Options = options };

var blocks = new Dictionary<string, string>
{
    [BenchmarkReport.Machine] = await MachineDescription.DescribeAsync(tools, work.Path, work.InMemory, cancel.Token),
};
var clock = Stopwatch.StartNew();
foreach (var measurement in measurements.Where(m => options.Only.Contains(m.Name)))
{
    Console.Error.WriteLine($"[{clock.Elapsed:mm\\:ss}] {measurement.Name} ...");
    var section = await measurement.RunAsync(context, cancel.Token);
    blocks[measurement.Name] = BenchmarkReport.Render(section.Heading, section.Markdown);
    Console.WriteLine(blocks[measurement.Name]);
}

Console.Error.WriteLine($"[{clock.Elapsed:mm\\:ss}] done");
Console.WriteLine(blocks[BenchmarkReport.Machine]);
if (options.WriteReport)
{
    var page = Repository.File("docs", "benchmarks.md");
    BenchmarkReport.Write(page, blocks);
    Console.Error.WriteLine($"written into {page}");
}

return 0;

using AwsRunner.Core;

namespace AwsRunner.Sim.Requests;

/// <summary>
/// Asks a running fleet to do something to one of its instances and waits for its answer: 0 once the fleet has done it,
/// 2 when the fleet refuses (no such instance, not a spot instance) or the folder is no fleet's, 3 when no fleet runs
/// there or it does not answer.
/// </summary>
internal static class RequestCommand
{
    public const int Done = 0;
    public const int Refused = 2;
    public const int NoFleet = 3;

    private static readonly TimeSpan AnswerTimeout = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan BetweenLooks = TimeSpan.FromMilliseconds(100);

    /// <returns>The exit code, and the one line to say.</returns>
    public static async Task<(int ExitCode, string Message)> RunAsync(NodeCommandOptions options, TimeProvider time, CancellationToken cancellationToken)
    {
        var folder = Path.GetFullPath(options.Folder);
        var box = new RequestBox(FleetSettings.RequestsFolderOf(folder));
        if (!box.Exists)
        {
            return (Refused, $"{folder} is not a simulated fleet's folder (give the --folder the fleet was started with)");
        }

        if (!box.FleetRunning())
        {
            return (NoFleet, $"no fleet runs in {folder}: start it with --folder {folder}");
        }

        var id = box.Submit(options.Command, options.InstanceId);
        var (answer, running) = await Polling.UntilAsync(
            _ => ValueTask.FromResult((Answer: box.TakeAnswer(id), Running: box.FleetRunning())),
            look => look.Answer is not null || !look.Running,
            BetweenLooks,
            AnswerTimeout,
            time,
            cancellationToken).ConfigureAwait(false);
        // A fleet may answer and stop between the two looks.
        answer ??= box.TakeAnswer(id);
        if (answer is not null)
        {
            return (answer.Done ? Done : Refused, answer.Message);
        }

        box.Withdraw(id);
        return (NoFleet, running
            ? $"the fleet in {folder} did not answer within {AnswerTimeout.TotalSeconds:0} s"
            : $"the fleet in {folder} stopped before it answered");
    }
}

using AwsRunner.Core;
using AwsRunner.Core.Dispatch;

namespace AwsRunner.Cli.Rendering;

/// <summary>How a plan is shown: as lines for a person or as a JSON document.</summary>
internal sealed record PlanView(
    string Name,
    string Cloud,
    string ImageId,
    string Bucket,
    string JobFile,
    int Jobs,
    IReadOnlyDictionary<string, int> InstanceTypes,
    IReadOnlyList<string> Variables,
    string CodeDirectory,
    int CodeFiles,
    long CodeBytes,
    string? InstallScript,
    IReadOnlyList<string> Results,
    double MaxHours)
{
    public static PlanView From(BatchPlan plan) => new(
        plan.Name, plan.Cloud, plan.ImageId, plan.Bucket, plan.Jobs.Path, plan.Jobs.Rows.Count, plan.InstanceTypes,
        plan.Jobs.VariableNames, plan.CodeDirectory, plan.CodeFiles, plan.CodeBytes, plan.InstallScript,
        plan.Options.ResultPaths, plan.Options.MaxHours ?? Defaults.MaxHours);

    public static IEnumerable<string> Lines(BatchPlan plan)
    {
        var types = string.Join(", ", plan.InstanceTypes.Select(t => $"{t.Key} x{t.Value}"));
        yield return $"Plan for batch {plan.Name} ({plan.Cloud} cloud, image {plan.ImageId})";
        yield return $"  jobs       {plan.Jobs.Rows.Count} ({types}) from {plan.Jobs.Path}";
        if (plan.Jobs.VariableNames.Count > 0)
        {
            yield return $"  variables  {string.Join(", ", plan.Jobs.VariableNames)}";
        }

        yield return $"  code       {plan.CodeDirectory} ({plan.CodeFiles} files, {Formats.Bytes(plan.CodeBytes)}) -> ~/code on every node";
        yield return $"  install    {plan.InstallScript ?? "(none)"}";
        yield return $"  results    {string.Join(", ", plan.Options.ResultPaths)} -> {plan.ResultsLocation}";
        yield return $"  max hours  {plan.Options.MaxHours} (every node powers itself off after this)";
    }
}

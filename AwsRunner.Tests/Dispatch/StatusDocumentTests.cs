using System.Text.Json;
using AwsRunner.Core.Dispatch;

namespace AwsRunner.Tests.Dispatch;

public sealed class StatusDocumentTests
{
    [TestCase("""{"index":0,"exit_code":0,"started":null,"finished":"2026-12-01T00:00:00Z"}""", JobState.Done)]
    [TestCase("""{"index":0,"exit_code":3,"started":null,"finished":"2026-12-01T00:00:00Z"}""", JobState.Failed)]
    [TestCase("""{"index":0,"exit_code":0,"results_error":"tar: output/x: Cannot open: Permission denied"}""", JobState.Failed)]
    [TestCase("""{"index":0,"exit_code":null,"started":null,"finished":"2026-12-01T00:00:00Z","state":"deadline"}""", JobState.Deadline)]
    public void Outcome_AsTheRunnerWritesIt_IsTheJobsState(string json, JobState expected)
    {
        var document = JsonSerializer.Deserialize<StatusDocument>(json, AwsRunner.Core.Ledger.LedgerDocument.Json)!;

        Assert.That(document.Outcome, Is.EqualTo(expected));
    }
}

namespace AwsRunner.Core.Queue;

/// <summary>One LIST page of <c>NAME/queue/rows/</c>: it starts after <paramref name="StartAfter"/> and holds every object of <paramref name="Rows"/>.</summary>
/// <param name="StartAfter">The key the page starts after: its first row's folder (<c>NAME/queue/rows/0007/</c>), which sorts after every key before that row.</param>
/// <param name="Rows">The rows of the page's instance type whose every object the page holds, in key order.</param>
internal sealed record ListPage(string StartAfter, IReadOnlyList<int> Rows);

namespace AwsRunner.Tests.Support;

/// <summary>The repository the tests were built from: its README, docs and projects.</summary>
internal static class Repository
{
    public static string Root { get; } = Find();

    public static string File(params string[] parts) => Path.Combine([Root, .. parts]);

    private static string Find()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (System.IO.File.Exists(Path.Combine(folder.FullName, "AwsRunner.sln")))
            {
                return folder.FullName;
            }
        }

        throw new InvalidOperationException("the tests do not run inside the awsrunner repository");
    }
}

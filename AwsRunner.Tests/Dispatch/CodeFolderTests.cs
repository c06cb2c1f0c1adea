using AwsRunner.Core.Dispatch;
using AwsRunner.Tests.Support;

namespace AwsRunner.Tests.Dispatch;

public sealed class CodeFolderTests
{
    private TempFolder folder = null!;

    [SetUp]
    public void SetUp()
    {
        folder = new TempFolder();
        folder.Write("code/run.py", "print(1)\n");
        folder.Write("code/.env.example", "A=1\n");
        folder.Write("code/data/big.bin", "xxxx");
        folder.Write("code/data/keep.txt", "k");
        folder.Write("code/lib/util.py", "");
        folder.Write("code/lib/notes.log", "");
    }

    [TearDown]
    public void TearDown() => folder.Dispose();

    [Test]
    public void Entries_WithoutIgnoreFile_AreEverythingDotfilesIncludedEachFolderBeforeItsContent()
    {
        Assert.That(Selected(), Is.EqualTo(new[]
        {
            ".env.example", "data", "lib", "run.py", "data/big.bin", "data/keep.txt", "lib/notes.log", "lib/util.py",
        }));
    }

    [Test]
    public void Entries_IgnoreFile_LeavesOutWhatItListsInGitignoreSyntax()
    {
        folder.Write("code/.awsrunnerignore", "# scratch\n*.log\n/data/*\n!/data/keep.txt\n");

        Assert.That(Selected(), Is.EqualTo(new[] { ".awsrunnerignore", ".env.example", "data", "lib", "run.py", "data/keep.txt", "lib/util.py" }));
    }

    [Test]
    public void Entries_IgnoredFolder_IsNotEnteredAtAll()
    {
        folder.Write("code/.awsrunnerignore", "lib/\n!lib/util.py\n");

        Assert.That(Selected(), Does.Not.Contain("lib").And.Not.Contain("lib/util.py"), "gitignore cannot re-include a file of an ignored folder");
    }

    [Test]
    public void Entries_LinkToAFolder_IsListedAndNotFollowed()
    {
        Directory.CreateSymbolicLink(folder.Combine("code", "elsewhere"), folder.Combine("code", "lib"));

        Assert.That(Selected(), Does.Contain("elsewhere").And.Not.Contain("elsewhere/util.py"));
    }

    private List<string> Selected()
    {
        var code = new CodeFolder(folder.Combine("code"));
        return code.Entries().Select(code.Relative).ToList();
    }
}

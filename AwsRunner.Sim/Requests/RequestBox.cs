using System.Globalization;

namespace AwsRunner.Sim.Requests;

/// <summary>
/// How a running fleet is reached from another process: the folder <c>requests/</c> of the fleet's folder. A request is
/// a file <c>ID.request</c> ("COMMAND INSTANCE_ID"), which the fleet takes at its next look and answers with
/// <c>ID.answer</c> ("done MESSAGE" or "refused MESSAGE"). While it runs, the fleet holds <c>fleet.lock</c> in it
/// (an exclusive lock, released by the system whenever the fleet ends, even killed).
/// </summary>
internal sealed class RequestBox(string folder)
{
    private const string RequestExtension = ".request";
    private const string AnswerExtension = ".answer";
    private const string DoneWord = "done";
    private const string RefusedWord = "refused";

    public string Folder => folder;

    /// <summary>Whether this folder has ever been a fleet's box.</summary>
    public bool Exists => File.Exists(LockFile);

    private string LockFile => Path.Combine(folder, "fleet.lock");

    /// <summary>
    /// Opens the box for a fleet that starts: requests and answers left by an earlier fleet go, and the lock is held
    /// until the returned lock is disposed.
    /// </summary>
    /// <exception cref="IOException">Another fleet runs with this folder.</exception>
    public IDisposable Open()
    {
        Directory.CreateDirectory(folder);
        var held = new FileStream(LockFile, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        foreach (var stale in Directory.EnumerateFiles(folder).Where(f => f.EndsWith(RequestExtension, StringComparison.Ordinal) || f.EndsWith(AnswerExtension, StringComparison.Ordinal)))
        {
            File.Delete(stale);
        }

        return held;
    }

    /// <summary>Whether a fleet holds the box's lock now.</summary>
    public bool FleetRunning()
    {
        try
        {
            using var probe = new FileStream(LockFile, FileMode.Open, FileAccess.ReadWrite, FileShare.None);
            return false;
        }
        catch (FileNotFoundException)
        {
            return false;
        }
        catch (IOException)
        {
            return true;
        }
    }

    /// <summary>Leaves a request for the fleet; returns its id.</summary>
    public string Submit(NodeCommand command, string instanceId)
    {
        var id = Guid.NewGuid().ToString("N");
        Write(id + RequestExtension, $"{command.ToString().ToLowerInvariant()} {instanceId}\n");
        return id;
    }

    /// <summary>The requests waiting, taken out of the box (each is answered once).</summary>
    public IReadOnlyList<FleetRequest> Take()
    {
        var requests = new List<FleetRequest>();
        foreach (var file in Directory.EnumerateFiles(folder, "*" + RequestExtension))
        {
            string text;
            try
            {
                text = File.ReadAllText(file);
                File.Delete(file);
            }
            catch (FileNotFoundException)
            {
                continue;
            }

            var id = Path.GetFileNameWithoutExtension(file);
            var words = text.Trim().Split(' ', 2);
            if (words.Length == 2 && Enum.TryParse<NodeCommand>(words[0], ignoreCase: true, out var command))
            {
                requests.Add(new FleetRequest(id, command, words[1]));
            }
            else
            {
                Answer(id, FleetAnswer.Refused($"not a request: \"{text.Trim()}\""));
            }
        }

        return requests;
    }

    public void Answer(string id, FleetAnswer answer) =>
        Write(id + AnswerExtension, string.Create(CultureInfo.InvariantCulture, $"{(answer.Done ? DoneWord : RefusedWord)} {answer.Message}\n"));

    /// <summary>The fleet's answer to request <paramref name="id"/>, taken out of the box; null until there is one.</summary>
    public FleetAnswer? TakeAnswer(string id)
    {
        var file = Path.Combine(folder, id + AnswerExtension);
        if (!File.Exists(file))
        {
            return null;
        }

        var words = File.ReadAllText(file).TrimEnd('\n').Split(' ', 2);
        File.Delete(file);
        return new FleetAnswer(words[0] == DoneWord, words.Length > 1 ? words[1] : "");
    }

    /// <summary>Withdraws a request the fleet has not taken (the asker gave up).</summary>
    public void Withdraw(string id) => File.Delete(Path.Combine(folder, id + RequestExtension));

    // Written whole and renamed into place, so that no reader ever sees half a file.
    private void Write(string name, string text)
    {
        var path = Path.Combine(folder, name);
        File.WriteAllText(path + ".tmp", text);
        File.Move(path + ".tmp", path, overwrite: true);
    }
}

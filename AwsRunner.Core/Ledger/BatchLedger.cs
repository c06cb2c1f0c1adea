using System.IO.Compression;
using System.Text.Json;
using AwsRunner.Core.Cloud;

namespace AwsRunner.Core.Ledger;

/// <summary>
/// The one owner of a batch's state (<see cref="LedgerDocument"/>, <c>NAME/ledger.json.gz</c>, gzip'd JSON: ten
/// thousand rows' commands and variables are rewritten whole at each change, and compress tenfold): read once from the bucket,
/// changed only through the document's transitions, and written back whole with a conditional write on the version
/// it was read at. A dispatcher that loses the race to another reads the ledger again and applies its transition to
/// that, so that no change is lost; nothing else reads or writes the object.
/// </summary>
internal sealed class BatchLedger
{
    // Two or three dispatchers of one batch race at most a few times; more means something rewrites the ledger in a loop.
    private const int MaxConflicts = 100;

    private readonly IResultStore results;
    private string version;

    private BatchLedger(IResultStore results, string bucket, LedgerDocument document, string version)
    {
        this.results = results;
        Bucket = bucket;
        Document = document;
        this.version = version;
    }

    public string Name => Document.Name;

    /// <summary>The bucket it was read from, which the batch is then taken to be in.</summary>
    public string Bucket { get; }

    /// <summary>The batch's state as last read or written by this process.</summary>
    public LedgerDocument Document { get; private set; }

    /// <summary>The ledger of a batch, or null when the bucket has none.</summary>
    public static async Task<BatchLedger?> LoadAsync(IResultStore results, string bucket, string name, CancellationToken cancellationToken)
    {
        var stored = await results.GetVersionedAsync(bucket, ResultKeys.Ledger(name), cancellationToken).ConfigureAwait(false);
        return stored is null ? null : new BatchLedger(results, bucket, Read(results, stored.Content, bucket, name), stored.ETag);
    }

    /// <summary>The ledger of a batch that must exist.</summary>
    public static async Task<BatchLedger> RequireAsync(IResultStore results, string bucket, string name, CancellationToken cancellationToken) =>
        await LoadAsync(results, bucket, name, cancellationToken).ConfigureAwait(false)
        ?? throw new InvalidInputException("Batch", $"no batch \"{name}\" in {results.Describe(bucket, "")} (was it created? is the bucket right?)");

    /// <summary>Writes a new batch's ledger; when another dispatcher created it first, theirs is returned instead.</summary>
    public static async Task<(BatchLedger Ledger, bool Created)> CreateAsync(IResultStore results, string bucket, LedgerDocument document, CancellationToken cancellationToken)
    {
        if (await results.PutIfAsync(bucket, ResultKeys.Ledger(document.Name), Pack(document), null, cancellationToken).ConfigureAwait(false) is { } written)
        {
            return (new BatchLedger(results, bucket, document, written), true);
        }

        return (await RequireAsync(results, bucket, document.Name, cancellationToken).ConfigureAwait(false), false);
    }

    /// <summary>Reads the ledger again, for a command that follows the batch while others change it.</summary>
    public async Task RefreshAsync(CancellationToken cancellationToken)
    {
        var stored = await results.GetVersionedAsync(Bucket, ResultKeys.Ledger(Name), cancellationToken).ConfigureAwait(false)
            ?? throw Deleted();
        if (stored.ETag != version)
        {
            (Document, version) = (Read(results, stored.Content, Bucket, Name), stored.ETag);
        }
    }

    /// <summary>Applies a transition and writes the result; re-applies it to a fresh read when another writer came first.</summary>
    /// <returns>What the transition said when it was applied to the document that was written.</returns>
    public async Task<T> ChangeAsync<T>(Func<LedgerDocument, (LedgerDocument Next, T Result)> transition, CancellationToken cancellationToken)
    {
        for (var conflicts = 0; conflicts < MaxConflicts; conflicts++)
        {
            var (next, result) = transition(Document);
            if (ReferenceEquals(next, Document))
            {
                return result;
            }

            if (await results.PutIfAsync(Bucket, ResultKeys.Ledger(Name), Pack(next), version, cancellationToken).ConfigureAwait(false) is { } written)
            {
                (Document, version) = (next, written);
                return result;
            }

            await RefreshAsync(cancellationToken).ConfigureAwait(false);
        }

        throw new CloudException("LedgerConflict", $"update the ledger of batch {Name}",
            $"it changed under this dispatcher {MaxConflicts} times in a row", hint: "something else keeps rewriting it: stop the other dispatchers of this batch");
    }

    /// <summary>Applies a transition that needs to say nothing back.</summary>
    public Task ChangeAsync(Func<LedgerDocument, LedgerDocument> transition, CancellationToken cancellationToken) =>
        ChangeAsync(document => (transition(document), true), cancellationToken);

    /// <summary>
    /// Reads a ledger and checks it as the job file is checked (names, indexes, variable names, instance types): whoever
    /// can write to the bucket can change it, and its rows become commands, variables and paths here.
    /// </summary>
    private static LedgerDocument Read(IResultStore results, byte[] bytes, string bucket, string name)
    {
        string problem;
        try
        {
            var document = JsonSerializer.Deserialize<LedgerDocument>(Unpack(bytes), LedgerDocument.Json);
            problem = document is null ? "not a batch ledger (empty)" : LedgerCheck.Problem(document, name) ?? "";
            if (problem.Length == 0)
            {
                return document!;
            }
        }
        catch (Exception e) when (e is JsonException or InvalidDataException)
        {
            problem = $"not a batch ledger ({e.Message})";
        }

        throw new CloudException("BadLedger", $"read the ledger {results.Describe(bucket, ResultKeys.Ledger(name))}", problem,
            hint: "it was changed outside awsrunner: restore it, or run the jobs again as a new batch (another NAME)");
    }

    private static byte[] Pack(LedgerDocument document)
    {
        using var packed = new MemoryStream();
        using (var gzip = new GZipStream(packed, CompressionLevel.Fastest, leaveOpen: true))
        {
            gzip.Write(document.ToBytes());
        }

        return packed.ToArray();
    }

    // Plain JSON reads too: a ledger a person unpacked to look at and put back.
    private static byte[] Unpack(byte[] bytes)
    {
        if (bytes is not [0x1f, 0x8b, ..])
        {
            return bytes;
        }

        using var plain = new MemoryStream();
        using (var gzip = new GZipStream(new MemoryStream(bytes), CompressionMode.Decompress))
        {
            gzip.CopyTo(plain);
        }

        return plain.ToArray();
    }

    private CloudException Deleted() =>
        new("NoLedger", $"read the ledger of batch {Name}", $"{results.Describe(Bucket, ResultKeys.Ledger(Name))} is gone",
            hint: $"the batch was taken down with its results (awsrunner down {Name} --delete-results)");
}

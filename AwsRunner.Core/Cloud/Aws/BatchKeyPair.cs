using AwsRunner.Core.Cloud.Aws.Ec2;
using Microsoft.Extensions.Logging;

namespace AwsRunner.Core.Cloud.Aws;

/// <summary>
/// The batch's EC2 key pair, named after the batch: created (its private key saved 0600 in a 0700 folder as
/// <c>$AWSRUNNER_HOME/NAME/key.pem</c>), or imported from the public half of the user's <c>--key-file</c>.
/// </summary>
internal sealed partial class BatchKeyPair(IEc2Api ec2, string home, string? keyFile, ILogger logger)
{
    private const UnixFileMode OwnerOnlyFolder = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    private const UnixFileMode OwnerOnlyFile = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    public static string PrivateKeyPath(string home, string batch) => AwsRunnerHome.KeyFile(home, batch);

    /// <summary>Fails before anything is created when the user's key file is missing.</summary>
    public void Check()
    {
        if (keyFile is not null && !File.Exists(PublicKeyPath(keyFile)))
        {
            throw new InvalidInputException("KeyFile",
                $"AwsCloudOptions.KeyFile {keyFile}: its public half {PublicKeyPath(keyFile)} was not found (make a pair with: ssh-keygen -t ed25519 -f {keyFile})");
        }
    }

    public async Task PrepareAsync(string batch, Func<CancellationToken, Task<bool>> hasLiveInstances, CancellationToken cancellationToken)
    {
        var existing = (await ec2.DescribeKeyPairsAsync(batch, cancellationToken).ConfigureAwait(false))
            .FirstOrDefault(k => k.KeyName == batch);
        if (existing is not null && !AwsTags.IsOf(existing.Tags, batch))
        {
            throw new CloudException("KeyPairExists", $"create key pair {batch}", "a key pair of that name exists and awsrunner did not create it",
                hint: "choose another NAME for the batch, or delete that key pair if it is not needed");
        }

        if (keyFile is not null)
        {
            Check();
            var publicKeyPath = PublicKeyPath(keyFile);
            var publicKey = (await File.ReadAllTextAsync(publicKeyPath, cancellationToken).ConfigureAwait(false)).Trim();
            var digest = Digest(publicKey);
            if (existing is null)
            {
                await ec2.ImportKeyPairAsync(batch, publicKey, [.. AwsTags.Of(batch), new Ec2Tag(AwsTags.PublicKey, digest)], cancellationToken)
                    .ConfigureAwait(false);
                LogImported(logger, batch, publicKeyPath);
            }
            else if (!(existing.Tags.TryGetValue(AwsTags.PublicKey, out var created) ? created == digest : LinksTo(batch, keyFile)))
            {
                // The instances were launched with the key pair; another key would lock awsrunner out of them.
                throw new InvalidInputException("KeyFile",
                    $"AwsCloudOptions.KeyFile {keyFile}: not the key of batch {batch}, whose key pair was fixed when it was created; " +
                    "run it again without AwsCloudOptions.KeyFile (or with the key file it was created with), or give the new key a new batch NAME");
            }

            LinkPrivateKey(batch);
            return;
        }

        var path = PrivateKeyPath(home, batch);
        if (existing is not null)
        {
            if (File.Exists(path))
            {
                return;
            }

            // AWS hands out a private key only once; without it the pair is useless, and replacing it is safe only
            // while no instance was launched with it.
            if (await hasLiveInstances(cancellationToken).ConfigureAwait(false))
            {
                throw new CloudException("KeyMissing", $"use key pair {batch}", $"its private key {path} is not on this machine",
                    hint: $"run the dispatch from the machine that created the batch, or remove it with: awsrunner down {batch}");
            }

            await ec2.DeleteKeyPairAsync(batch, cancellationToken).ConfigureAwait(false);
        }

        var privateKey = await ec2.CreateKeyPairAsync(batch, AwsTags.Of(batch), cancellationToken).ConfigureAwait(false);
        await SaveAsync(path, privateKey, cancellationToken).ConfigureAwait(false);
        LogCreated(logger, batch, path);
    }

    public async Task RemoveAsync(string batch, CancellationToken cancellationToken)
    {
        var existing = await ec2.DescribeKeyPairsAsync(batch, cancellationToken).ConfigureAwait(false);
        if (existing.Any(k => k.KeyName == batch && AwsTags.IsOf(k.Tags, batch)))
        {
            await ec2.DeleteKeyPairAsync(batch, cancellationToken).ConfigureAwait(false);
            LogDeleted(logger, batch);
        }

        File.Delete(PrivateKeyPath(home, batch));
    }

    /// <summary>The node shell always uses <c>NAME/key.pem</c>; with --key-file that is a link to the user's own private key.</summary>
    private void LinkPrivateKey(string batch)
    {
        var path = PrivateKeyPath(home, batch);
        var folder = Path.GetDirectoryName(path)!;
        Directory.CreateDirectory(folder);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(folder, OwnerOnlyFolder);
        }

        File.Delete(path);
        File.CreateSymbolicLink(path, Path.GetFullPath(PrivateKeyOf(keyFile!)));
    }

    private static string Digest(string publicKey) =>
        Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(publicKey)));

    /// <summary>Whether this machine's batch key is the link a --key-file run made to the same key (a pair imported before it was tagged).</summary>
    private bool LinksTo(string batch, string keyFile) =>
        new FileInfo(PrivateKeyPath(home, batch)).LinkTarget is { } target && target == Path.GetFullPath(PrivateKeyOf(keyFile));

    private static string PrivateKeyOf(string keyFile) =>
        keyFile.EndsWith(".pub", StringComparison.Ordinal) ? keyFile[..^4] : keyFile;

    private static string PublicKeyPath(string keyFile) =>
        keyFile.EndsWith(".pub", StringComparison.Ordinal) ? keyFile : keyFile + ".pub";

    private static async Task SaveAsync(string path, string privateKey, CancellationToken cancellationToken)
    {
        var folder = Path.GetDirectoryName(path)!;
        var temporary = path + ".tmp";
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(folder);
            await File.WriteAllTextAsync(temporary, privateKey, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            Directory.CreateDirectory(folder, OwnerOnlyFolder);
            File.SetUnixFileMode(folder, OwnerOnlyFolder);
            File.Delete(temporary);
            var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, UnixCreateMode = OwnerOnlyFile };
            var stream = new FileStream(temporary, options);
            await using (stream.ConfigureAwait(false))
            {
                var writer = new StreamWriter(stream);
                await using (writer.ConfigureAwait(false))
                {
                    await writer.WriteAsync(privateKey.AsMemory(), cancellationToken).ConfigureAwait(false);
                }
            }
        }

        File.Move(temporary, path, overwrite: true);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Created key pair {Batch}; private key in {Path}")]
    private static partial void LogCreated(ILogger logger, string batch, string path);

    [LoggerMessage(Level = LogLevel.Information, Message = "Imported {PublicKey} as key pair {Batch}")]
    private static partial void LogImported(ILogger logger, string batch, string publicKey);

    [LoggerMessage(Level = LogLevel.Information, Message = "Deleted key pair {Batch}")]
    private static partial void LogDeleted(ILogger logger, string batch);
}

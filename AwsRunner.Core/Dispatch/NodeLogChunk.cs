using System.Globalization;
using AwsRunner.Core.Cloud;
using AwsRunner.Core.Node;

namespace AwsRunner.Core.Dispatch;

/// <summary>
/// One read of a row's log on its node: which log (the row's job.log, else the node's install log, else none), its size
/// then, the row's state (the node's before the row started there), and up to a chunk of its bytes from an offset, sent
/// as base64 so that a chunk may end inside a character.
/// </summary>
internal sealed record NodeLogChunk(string? File, long Offset, long Size, string State, byte[] Bytes)
{
    public static string Command(int row, long offset, long chunkBytes)
    {
        var folder = NodeRunnerScript.Folder;
        var rowFolder = $"{folder}/{NodeRunnerScript.RowsFolder}/{Jobs.JobIndex.Format(row)}";
        var from = offset.ToString(CultureInfo.InvariantCulture);
        var most = chunkBytes.ToString(CultureInfo.InvariantCulture);
        return $"f={rowFolder}/{ResultKeys.Log}; [ -e \"$f\" ] || f={folder}/{ResultKeys.InstallLog}; " +
            $"state=$(cat {rowFolder}/state 2>/dev/null || cat {folder}/state 2>/dev/null || echo none); " +
            "if [ ! -e \"$f\" ]; then echo \"- 0 0 $state\"; exit 0; fi; " +
            $"s=$(stat -c %s \"$f\"); o={from}; [ \"$o\" -le \"$s\" ] || o=0; echo \"${{f##*/}} $o $s $state\"; " +
            $"n=$((s - o)); [ \"$n\" -le {most} ] || n={most}; " +
            "tail -c +$((o + 1)) \"$f\" | head -c \"$n\" | base64 -w0; echo";
    }

    public static NodeLogChunk Parse(string output)
    {
        var lines = output.Split('\n');
        var head = lines[0].Split(' ');
        if (head.Length != 4 || !long.TryParse(head[1], CultureInfo.InvariantCulture, out var offset) || !long.TryParse(head[2], CultureInfo.InvariantCulture, out var size))
        {
            throw new CloudException("NodeLog", "read a job's log on its node", $"the node answered \"{lines[0]}\"");
        }

        return new NodeLogChunk(head[0] == "-" ? null : head[0], offset, size, head[3],
            lines.Length > 1 ? Convert.FromBase64String(lines[1].Trim()) : []);
    }
}

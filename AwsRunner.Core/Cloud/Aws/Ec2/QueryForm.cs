using System.Globalization;
using System.Text;

namespace AwsRunner.Core.Cloud.Aws.Ec2;

/// <summary>The form body of a Query-protocol call: <c>Action</c>, <c>Version</c> and the flattened, 1-based parameters.</summary>
internal sealed class QueryForm
{
    private readonly List<KeyValuePair<string, string>> parameters = [];

    public QueryForm(string action, string version)
    {
        Action = action;
        Add("Action", action);
        Add("Version", version);
    }

    public string Action { get; }

    public IReadOnlyList<KeyValuePair<string, string>> Parameters => parameters;

    public QueryForm Add(string name, string value)
    {
        parameters.Add(new(name, value));
        return this;
    }

    public QueryForm Add(string name, int value) => Add(name, value.ToString(CultureInfo.InvariantCulture));

    /// <summary>Adds <c>PREFIX.1</c>, <c>PREFIX.2</c>, ...</summary>
    public QueryForm AddList(string prefix, IEnumerable<string> values)
    {
        var n = 1;
        foreach (var value in values)
        {
            Add($"{prefix}.{n++}", value);
        }

        return this;
    }

    public QueryForm AddFilters(IEnumerable<Ec2Filter> filters)
    {
        var n = 1;
        foreach (var filter in filters)
        {
            Add($"Filter.{n}.Name", filter.Name);
            AddList($"Filter.{n}.Value", filter.Values);
            n++;
        }

        return this;
    }

    /// <summary>Tags applied at creation (<c>TagSpecification.N</c>), one specification per resource type.</summary>
    public QueryForm AddTagSpecifications(IEnumerable<string> resourceTypes, IReadOnlyList<Ec2Tag> tags)
    {
        if (tags.Count == 0)
        {
            return this;
        }

        var n = 1;
        foreach (var type in resourceTypes)
        {
            Add($"TagSpecification.{n}.ResourceType", type);
            for (var t = 0; t < tags.Count; t++)
            {
                Add($"TagSpecification.{n}.Tag.{t + 1}.Key", tags[t].Key);
                Add($"TagSpecification.{n}.Tag.{t + 1}.Value", tags[t].Value);
            }

            n++;
        }

        return this;
    }

    public string Encode()
    {
        var body = new StringBuilder();
        foreach (var (name, value) in parameters)
        {
            if (body.Length > 0)
            {
                body.Append('&');
            }

            body.Append(Uri.EscapeDataString(name)).Append('=').Append(Uri.EscapeDataString(value));
        }

        return body.ToString();
    }
}

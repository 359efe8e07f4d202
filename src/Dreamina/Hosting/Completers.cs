using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Language;

namespace Dreamina.Hosting
{
    /// <summary>Completes the two frame counts the model offers.</summary>
    public sealed class FramesCompleter : IArgumentCompleter
    {
        public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters)
            => FixedChoices.Complete(wordToComplete, ("121", "121 frames, about 5 seconds"), ("241", "241 frames, about 10 seconds"));
    }

    /// <summary>Completes the two durations the model offers.</summary>
    public sealed class DurationCompleter : IArgumentCompleter
    {
        public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters)
            => FixedChoices.Complete(wordToComplete, ("5", "5 seconds (121 frames)"), ("10", "10 seconds (241 frames)"));
    }

    internal static class FixedChoices
    {
        public static IEnumerable<CompletionResult> Complete(string word, params (string Value, string Tip)[] values)
            => values.Where(v => v.Value.StartsWith(word ?? "", System.StringComparison.Ordinal))
                .Select(v => new CompletionResult(v.Value, v.Value, CompletionResultType.ParameterValue, v.Tip));
    }
}

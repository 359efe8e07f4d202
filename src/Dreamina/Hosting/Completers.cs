using System.Collections;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Language;
using Dreamina.Model;

namespace Dreamina.Hosting
{
    /// <summary>Completes the frame counts the model offers.</summary>
    public sealed class FramesCompleter : IArgumentCompleter
    {
        public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters)
            => FixedChoices.Complete(wordToComplete, Offered.Select(f => (Text(f), $"{f} frames, about {DreaminaModel.SecondsOf(f)} seconds")));

        internal static IEnumerable<int> Offered => Configuration.DreaminaSession.Current.Model.Rules.Frames;

        internal static string Text(int number) => number.ToString(CultureInfo.InvariantCulture);
    }

    /// <summary>Completes the durations the model offers.</summary>
    public sealed class DurationCompleter : IArgumentCompleter
    {
        public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters)
            => FixedChoices.Complete(wordToComplete, FramesCompleter.Offered.Select(f => (FramesCompleter.Text(DreaminaModel.SecondsOf(f)), $"{DreaminaModel.SecondsOf(f)} seconds ({f} frames)")));
    }

    internal static class FixedChoices
    {
        public static IEnumerable<CompletionResult> Complete(string word, IEnumerable<(string Value, string Tip)> values)
            => values.Where(v => v.Value.StartsWith(word ?? "", System.StringComparison.Ordinal))
                .Select(v => new CompletionResult(v.Value, v.Value, CompletionResultType.ParameterValue, v.Tip));
    }
}

using System;
using System.Globalization;
using System.Management.Automation;

namespace Dreamina.Input
{
    /// <summary>
    /// How an optional whole-number parameter reads what users pipe in, CSV cells above all: a blank cell means
    /// "not given" (PowerShell would bind it as 0), and a fraction is refused (PowerShell would round it).
    /// </summary>
    [AttributeUsage(AttributeTargets.Property)]
    internal sealed class OptionalWholeNumberAttribute : ArgumentTransformationAttribute
    {
        public override object? Transform(EngineIntrinsics engineIntrinsics, object? inputData)
        {
            var value = inputData is PSObject wrapped ? wrapped.BaseObject : inputData;
            switch (value)
            {
                case null:
                    return null;
                case string text when string.IsNullOrWhiteSpace(text):
                    return null;
                case string text when long.TryParse(text.Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var whole):
                    return whole;
                case string text when decimal.TryParse(text.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var number):
                    return Whole(number, text.Trim());
                case double or float or decimal:
                    return Whole(Convert.ToDecimal(value, CultureInfo.InvariantCulture), Convert.ToString(value, CultureInfo.InvariantCulture)!);
                default:
                    return inputData;
            }
        }

        private static long Whole(decimal number, string text)
        {
            if (decimal.Truncate(number) != number || number < long.MinValue || number > long.MaxValue)
                throw new ArgumentTransformationMetadataException($"{text} is not a whole number, and it would not be rounded for you. Give a whole number, or leave the value out.");
            return (long)number;
        }
    }
}

using System;
using System.Collections.Generic;

namespace Dreamina.Emulator;

/// <summary>One balance per token, charged as jobs are accepted; a job that would overdraw it is refused (400002).</summary>
internal sealed class Wallets
{
    private readonly object _gate = new();
    private readonly Dictionary<string, decimal> _spent = new();
    private readonly Func<decimal> _startingBalance;

    public Wallets(Func<decimal> startingBalance) => _startingBalance = startingBalance;

    public decimal Balance(string token)
    {
        lock (_gate) return _startingBalance() - _spent.GetValueOrDefault(token);
    }

    public bool TryCharge(string token, decimal cost)
    {
        lock (_gate)
        {
            var spent = _spent.GetValueOrDefault(token);
            if (_startingBalance() - spent < cost) return false;
            _spent[token] = spent + cost;
            return true;
        }
    }
}

# Knowing the cost before paying: estimates, the -WhatIf total, -MaxCost, the daily limit across processes,
# the balance and its warning.

BeforeAll {
    Import-Module "$PSScriptRoot/Dreamina.TestHelpers.psm1" -Force
    Import-Module (Get-TestManifest) -Force

    function Start-PricedEmulator([string[]] $ArgumentList) { Start-TestEmulator -ArgumentList $ArgumentList }
    function New-Batch([int] $Count, [string] $Image) { 1..$Count | ForEach-Object { [pscustomobject]@{ Prompt = "shot $_"; ImageUri = $Image } } }
    function Get-Submits($Emulator) { [int](Get-EmulatorStats $Emulator).requests.submit }
}

AfterAll { Disconnect-Dreamina }

Describe 'Estimates at a price per request (0.50 USD)' {
    BeforeAll {
        $emulator = Start-PricedEmulator '--price', '0.5', '--price-unit', 'request', '--balance', '1000'
        Connect-TestEmulator $emulator -JournalPath "$TestDrive/jobs.jsonl"
        $image = "$($emulator.StorageUri)samples/street.jpg"
    }
    AfterAll { $emulator | Stop-DreaminaEmulator }

    It 'gives every job its cost, in the object and the journal' {
        $job = Start-DreaminaVideo 'priced' $image
        ($job.Cost, $job.Currency) | Should -Be 0.5, 'USD'
        (Get-DreaminaJob -RequestId $job.RequestId).Cost | Should -Be 0.5
    }

    It '-WhatIf prints each job with its cost and the batch total, and sends nothing' {
        $before = Get-Submits $emulator
        $run = Invoke-TestPwsh -Script "1..3 | ForEach-Object { [pscustomobject]@{ Prompt = `"shot `$_`"; ImageUri = '$image' } } | Start-DreaminaVideo -WhatIf" -Environment @{
            RUNCOMFY_TOKEN = $emulator.Token; DREAMINA_BASE_URI = $emulator.BaseUri; DREAMINA_ACCOUNT_URI = $emulator.AccountUri; DREAMINA_JOURNAL_PATH = "$TestDrive/whatif.jsonl" }
        ([regex]::Matches($run.Output, 'estimated cost 0\.50 USD')).Count | Should -Be 3
        $run.Output | Should -Match 'What if: Submit 3 paid Dreamina video jobs; estimated total 1\.50 USD\.'
        Get-Submits $emulator | Should -Be $before
    }

    It '-MaxCost stops the batch at the job that would pass it, and the jobs before it go on' {
        $before = Get-Submits $emulator
        $jobs = New-Batch 5 $image | Start-DreaminaVideo -MaxCost 1.2 -ThrottleLimit 1 -ErrorVariable refused -ErrorAction SilentlyContinue
        $jobs.Prompt | Sort-Object | Should -Be 'shot 1', 'shot 2'
        $refused.Count | Should -Be 3
        $refused[0].FullyQualifiedErrorId | Should -Be 'DreaminaSpendLimitReached,Dreamina.Commands.StartDreaminaVideoCommand'
        $refused[0].CategoryInfo.Category | Should -Be 'QuotaExceeded'
        $refused[0].Exception.Message | Should -Match "^Not submitted: the job 'shot 3' \(0\.50 USD\) would take this call's estimated spending from 1\.00 to 1\.50 USD, past -MaxCost 1\.20"
        $refused.Exception.Message -replace "^Not submitted: the job '(shot \d)'.*", '$1' | Should -Be 'shot 3', 'shot 4', 'shot 5'
        (Get-Submits $emulator) - $before | Should -Be 2
    }

    It 'Get-DreaminaJob -Since tells what a day cost' {
        $sum = (Get-DreaminaJob -Since (Get-Date).Date | Measure-Object Cost -Sum).Sum
        $sum | Should -Be (0.5 * (Get-DreaminaJob).Count)
    }

    It 'Get-DreaminaBalance returns the balance as an object' {
        $balance = Get-DreaminaBalance
        $balance.BalanceUsd | Should -Be (1000 - 0.5 * (Get-DreaminaJob).Count)
        $balance.Currency | Should -Be 'USD'
        $balance.ReadAt | Should -BeGreaterThan (Get-Date).AddMinutes(-1)
    }
}

Describe 'A daily limit held across two processes' {
    BeforeAll {
        $emulator = Start-PricedEmulator '--price', '0.5'
        $journal = "$TestDrive/shared.jsonl"
        $image = "$($emulator.StorageUri)samples/street.jpg"
    }
    AfterAll { $emulator | Stop-DreaminaEmulator }

    It 'lets the two together spend no more than the limit' {
        # Each process its own inputs: identical ones would be the same jobs (a re-run), not new ones to pay for.
        $script = @"
Connect-Dreamina -BaseUri '$($emulator.BaseUri)' -AccountUri '$($emulator.AccountUri)' -Token (ConvertTo-SecureString '$($emulator.Token)' -AsPlainText -Force) -JournalPath '$journal' -DailySpendLimit 2 | Out-Null
`$jobs = 1..6 | ForEach-Object { [pscustomobject]@{ Prompt = "process `$PID, job `$_"; ImageUri = '$image' } } | Start-DreaminaVideo -ErrorVariable refused -ErrorAction SilentlyContinue
"ACCEPTED `$(@(`$jobs).Count) REFUSED `$(@(`$refused | Where-Object FullyQualifiedErrorId -like 'DreaminaSpendLimitReached*').Count)"
"@
        $runs = 1..2 | ForEach-Object { Start-ThreadJob -ScriptBlock { param($s) Invoke-TestPwsh -Script $s } -ArgumentList $script -InitializationScript ([scriptblock]::Create("Import-Module '$PSScriptRoot/Dreamina.TestHelpers.psm1'")) } | Wait-Job | Receive-Job
        $accepted = $runs | ForEach-Object { if ($_.Output -match 'ACCEPTED (\d+) REFUSED (\d+)') { [int]$Matches[1] } }
        $refused = $runs | ForEach-Object { if ($_.Output -match 'ACCEPTED (\d+) REFUSED (\d+)') { [int]$Matches[2] } }
        ($accepted | Measure-Object -Sum).Sum | Should -Be 4
        ($refused | Measure-Object -Sum).Sum | Should -Be 8
        [int](Get-EmulatorStats $emulator).requests.submit | Should -Be 4
    }
}

Describe 'The balance' {
    BeforeAll {
        $emulator = Start-PricedEmulator '--price', '0.5', '--balance', '1.2'
        Connect-TestEmulator $emulator -JournalPath "$TestDrive/balance.jsonl"
        $image = "$($emulator.StorageUri)samples/street.jpg"
    }
    AfterAll { $emulator | Stop-DreaminaEmulator }

    It 'is warned about once, before the job that takes the batch past it; the service then refuses that job' {
        $out = [System.Collections.Generic.List[object]]::new()
        try { New-Batch 4 $image | Start-DreaminaVideo -ThrottleLimit 1 -WarningVariable warned -WarningAction SilentlyContinue | ForEach-Object { $out.Add($_) } }
        catch { $refused = $_ }
        $warned.Count | Should -Be 1
        $warned[0].Message | Should -Match '^The job ''shot 3'' takes this call''s estimated spending to 1\.50 USD, past your RunComfy balance of 1\.20 USD'
        $out.Count | Should -Be 2
        $refused.FullyQualifiedErrorId | Should -BeLike 'DreaminaInsufficientBalance*'
    }
}

Describe 'Other prices' {
    It 'a price per second costs a 10-second job ten times the price' {
        $emulator = Start-PricedEmulator '--price', '0.1', '--price-unit', 'second'
        try {
            Connect-TestEmulator $emulator -JournalPath "$TestDrive/second.jsonl"
            (Start-DreaminaVideo 'ten seconds' "$($emulator.StorageUri)samples/street.jpg" -Duration 10).Cost | Should -Be 1.0
        }
        finally { $emulator | Stop-DreaminaEmulator }
    }

    It 'a unit it does not know gives no estimate, says so once, and the limits refuse to guess unless -Force' {
        $emulator = Start-PricedEmulator '--price', '0.5', '--price-unit', 'token'
        try {
            Connect-TestEmulator $emulator -JournalPath "$TestDrive/unknown.jsonl"
            $image = "$($emulator.StorageUri)samples/street.jpg"
            $jobs = New-Batch 2 $image | Start-DreaminaVideo -WarningVariable warned -WarningAction SilentlyContinue
            $jobs | ForEach-Object { $_.Cost | Should -BeNullOrEmpty }
            $warned.Count | Should -Be 1
            $warned[0].Message | Should -Match "per 'token', a unit this module does not know"
            { Start-DreaminaVideo 'capped' $image -MaxCost 5 -WarningAction SilentlyContinue -ErrorAction Stop } | Should -Throw -ErrorId 'DreaminaPriceUnavailable,Dreamina.Commands.StartDreaminaVideoCommand'
            (Start-DreaminaVideo 'forced' $image -MaxCost 5 -Force -WarningAction SilentlyContinue).Prompt | Should -Be 'forced'
        }
        finally { $emulator | Stop-DreaminaEmulator }
    }

    It 'a price that cannot be read is a warning, never a crash' {
        $emulator = Start-PricedEmulator '--price', 'none'
        try {
            Connect-TestEmulator $emulator -JournalPath "$TestDrive/none.jsonl"
            $job = Start-DreaminaVideo 'unpriced' "$($emulator.StorageUri)samples/street.jpg" -WarningVariable warned -WarningAction SilentlyContinue
            $job.Cost | Should -BeNullOrEmpty
            $warned[0].Message | Should -Match 'publishes no price'
        }
        finally { $emulator | Stop-DreaminaEmulator }
    }
}

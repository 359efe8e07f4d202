# Unattended runs never wait on what they don't need: advisory reads (price, balance) have short budgets of their
# own, background jobs keep every message, a refused token ends a wait at once, jobs are followed where they were
# sent, and a service out of reach ends a wait after a set time.

BeforeAll {
    Import-Module "$PSScriptRoot/Dreamina.TestHelpers.psm1" -Force
    Import-Module (Get-TestManifest) -Force
    function New-Shots([int] $Count, $Emulator) { 1..$Count | ForEach-Object { [pscustomobject]@{ Prompt = "unattended $_"; ImageUri = "$($Emulator.StorageUri)samples/street.jpg" } } }
    # Seconds until the first job comes out of Start-DreaminaVideo, what came out, and the warnings.
    function Measure-FirstJob($Shots, [hashtable] $Parameters = @{}) {
        $clock = [System.Diagnostics.Stopwatch]::StartNew()
        $first = $null
        $jobs = $Shots | Start-DreaminaVideo @Parameters -WarningVariable warned -WarningAction SilentlyContinue |
            ForEach-Object { if ($null -eq $first) { $first = $clock.Elapsed.TotalSeconds }; $_ }
        [pscustomobject]@{ FirstAfter = $first; Jobs = @($jobs); Warnings = @($warned) }
    }
    function Get-Count($Emulator, [string] $Endpoint) { [int](Get-EmulatorStats $Emulator).requests.$Endpoint }
}

AfterAll { Disconnect-Dreamina }

Describe 'An account API that stalls or refuses never holds paid work back' {
    BeforeAll { $emulator = Start-TestEmulator '--faults', 'Stall', '--fault-endpoints', 'Balance', '--fault-rate', '1' }
    AfterAll { $emulator | Stop-DreaminaEmulator }

    It 'stalled: the first job of three comes out within 5 s, with one warning that says why there is no balance' {
        Connect-TestEmulator $emulator -JournalPath "$TestDrive/stalled.jsonl"
        $run = Measure-FirstJob (New-Shots 3 $emulator)
        $run.Jobs.Count | Should -Be 3
        $run.FirstAfter | Should -BeLessThan 5
        $run.Warnings.Count | Should -Be 1
        "$($run.Warnings)" | Should -Match '^The balance could not be read, so there will be no warning before it runs out: .*within 3 s'
    }

    It 'refused (nothing listens): the first job comes out within 3 s' {
        Connect-TestEmulator $emulator -JournalPath "$TestDrive/refused.jsonl"
        Connect-Dreamina -AccountUri 'http://127.0.0.1:1/' | Out-Null
        $run = Measure-FirstJob (New-Shots 3 $emulator)
        $run.Jobs.Count | Should -Be 3
        $run.FirstAfter | Should -BeLessThan 3
    }
}

Describe 'A model information (price) read that stalls or is not found' {
    Context 'stalled' {
        BeforeAll {
            $emulator = Start-TestEmulator '--faults', 'Stall', '--fault-endpoints', 'Model', '--fault-rate', '1'
            Connect-TestEmulator $emulator -JournalPath "$TestDrive/price-stalled.jsonl"
        }
        AfterAll { $emulator | Stop-DreaminaEmulator }

        It 'with -MaxCost ends within 20 s with a price error that names -Force, and submits nothing' {
            $clock = [System.Diagnostics.Stopwatch]::StartNew()
            { New-Shots 3 $emulator | Start-DreaminaVideo -MaxCost 5 -WarningAction SilentlyContinue } | Should -Throw -ErrorId 'DreaminaPriceUnavailable,Dreamina.Commands.StartDreaminaVideoCommand'
            $clock.Elapsed.TotalSeconds | Should -BeLessThan 20
            Get-Count $emulator submit | Should -Be 0
        }

        It 'with no limit lets the first job out within 7 s, of unknown cost' {
            $run = Measure-FirstJob (New-Shots 3 $emulator)
            $run.FirstAfter | Should -BeLessThan 7
            $run.Jobs | ForEach-Object { $_.Cost | Should -BeNullOrEmpty }
            "$($run.Warnings)" | Should -Match "The model's price could not be read.*within 5 s"
        }
    }

    Context 'answered 404' {
        BeforeAll {
            $emulator = Start-TestEmulator '--faults', 'NotFound', '--fault-endpoints', 'Model', '--fault-rate', '1'
            Connect-TestEmulator $emulator -JournalPath "$TestDrive/price-404.jsonl"
        }
        AfterAll { $emulator | Stop-DreaminaEmulator }

        It 'is a price problem that names the address to check, not a request or the journal' {
            $null = New-Shots 1 $emulator | Start-DreaminaVideo -WarningVariable warned -WarningAction SilentlyContinue
            "$warned" | Should -Match "The model's price could not be read.*RunComfy has no model information \(the price\) at this address \(HTTP 404.*Connect-Dreamina -BaseUri"
            "$warned" | Should -Not -Match 'Remove-DreaminaJob|request does not exist'
        }
    }
}

Describe 'Start-DreaminaVideo -AsJob keeps every message' {
    BeforeAll {
        $emulator = Start-TestEmulator '--price', '0.5', '--price-unit', 'request', '--balance', '1.2'
        Connect-TestEmulator $emulator -JournalPath "$TestDrive/asjob.jsonl"
    }
    AfterAll {
        Get-Job | Where-Object PSJobTypeName -EQ DreaminaBackgroundJob | Remove-Job -Force
        $emulator | Stop-DreaminaEmulator
    }

    It 'puts the balance warning in the background job''s Warning stream' {
        $job = New-Shots 3 $emulator | Start-DreaminaVideo -ThrottleLimit 1 -AsJob
        $null = $job | Wait-Job -Timeout 60
        $job.State | Should -BeIn 'Completed', 'Failed'
        "$($job.Warning)" | Should -Match "The job 'unattended 3' takes this call's estimated spending to 1\.50 USD, past your RunComfy balance of 1\.20 USD"
        $null = $job | Receive-Job -ErrorAction SilentlyContinue -WarningVariable received -WarningAction SilentlyContinue
        "$received" | Should -Match 'past your RunComfy balance'
    }
}

Describe 'Waits that end' {
    BeforeAll { $emulator = Start-TestEmulator }
    AfterAll { $emulator | Stop-DreaminaEmulator }

    It 'a refused token ends Wait-DreaminaJob with one terminating error' {
        Connect-TestEmulator $emulator -JournalPath "$TestDrive/refused-token.jsonl"
        $jobs = New-Shots 3 $emulator | Start-DreaminaVideo
        Connect-Dreamina -Token (ConvertTo-SecureString 'not-the-token' -AsPlainText -Force) | Out-Null
        $caught = @()
        try { $jobs | Wait-DreaminaJob -ErrorVariable seen -ErrorAction SilentlyContinue } catch { $caught += $_ }
        $caught.Count | Should -Be 1
        $caught[0].FullyQualifiedErrorId | Should -Be 'DreaminaAuthenticationFailed,Dreamina.Commands.WaitDreaminaJobCommand'
        @($seen | Where-Object { $_ -is [System.Management.Automation.ErrorRecord] -and $_.FullyQualifiedErrorId -notlike 'DreaminaAuthenticationFailed*' }).Count | Should -Be 0
    }

    It 'follows each job at the address it was sent to, whatever the session points at now' {
        $other = Start-TestEmulator
        try {
            Connect-TestEmulator $emulator -JournalPath "$TestDrive/addresses.jsonl"
            $null = New-Shots 2 $emulator | Start-DreaminaVideo
            Connect-TestEmulator $other -JournalPath "$TestDrive/addresses.jsonl"
            $done = Get-DreaminaJob -Status Queued, Running | Wait-DreaminaJob -Timeout 60
            @($done).Count | Should -Be 2
            (Get-Count $other status) + (Get-Count $other result) | Should -Be 0
        }
        finally { $other | Stop-DreaminaEmulator }
    }

    It 'ends a wait on a service out of reach after -UnreachableTimeoutSec, one error per job, the jobs kept' {
        $gone = Start-TestEmulator '--run-seconds', '100000'
        try {
            Connect-TestEmulator $gone -JournalPath "$TestDrive/unreachable.jsonl"
            Connect-Dreamina -UnreachableTimeoutSec 2 -MaxRetries 0 -TimeoutSec 1 | Out-Null
            $jobs = New-Shots 2 $gone | Start-DreaminaVideo
        }
        finally { $gone | Stop-DreaminaEmulator }
        $clock = [System.Diagnostics.Stopwatch]::StartNew()
        $null = $jobs | Wait-DreaminaJob -PollInterval 0.2 -ErrorVariable lost -ErrorAction SilentlyContinue -WarningAction SilentlyContinue
        $clock.Elapsed.TotalSeconds | Should -BeLessThan 30
        @($lost).Count | Should -Be 2
        $lost[0].FullyQualifiedErrorId | Should -Be 'DreaminaServiceUnreachable,Dreamina.Commands.WaitDreaminaJobCommand'
        $lost[0].Exception.Message | Should -Match 'still in the journal'
        @(Get-DreaminaJob -Status Queued, Running).Count | Should -Be 2
    }
}

# The journal in an Azure Storage table (Azurite's table service): runners that vanish, runners that share a daily
# limit, a SAS kept secret and checked at Connect, and moving a local journal over.

BeforeAll {
    Import-Module "$PSScriptRoot/Dreamina.TestHelpers.psm1" -Force
    Import-Module (Get-TestManifest) -Force
    $azurite = Start-TestAzuriteTables
    $emulator = Start-TestEmulator '--price', '0.25', '--price-unit', 'request'
    $image = "$($emulator.StorageUri)samples/street.jpg"
    # A runner: a pwsh of its own, with a home of its own (so no local journal but the one it would make there).
    function Get-RunnerEnvironment([string] $Name) {
        $home_ = Join-Path $TestDrive "home-$Name"
        $null = New-Item -ItemType Directory -Force $home_
        @{ HOME = $home_; XDG_DATA_HOME = "$home_/.local/share"; RUNCOMFY_TOKEN = $emulator.Token; DREAMINA_BASE_URI = $emulator.BaseUri; DREAMINA_ACCOUNT_URI = $emulator.AccountUri; DREAMINA_JOURNAL_PATH = '' }
    }
    function Get-Submits { [int](Get-EmulatorStats $emulator).requests.submit }
    function Get-Signature([string] $Uri) { [uri]::UnescapeDataString(([regex]::Match($Uri, '[?&]sig=([^&]+)')).Groups[1].Value) }
}

AfterAll {
    Disconnect-Dreamina
    if ($emulator) { $emulator | Stop-DreaminaEmulator }
    if ($azurite) { $azurite | Stop-TestAzurite }
}

Describe 'A runner killed while it waits' {
    It 'leaves its paid jobs to another runner, which saves all three from the table; neither writes a local journal' {
        $table = New-TestTable $azurite
        $first = Get-RunnerEnvironment 'first'
        $script = Join-Path $TestDrive 'runner1.ps1'
        Set-Content $script -Value @(
            "Connect-Dreamina -JournalUri '$table' | Out-Null"
            "`$jobs = 1..3 | ForEach-Object { [pscustomobject]@{ Prompt = `"vanishing `$_ #run=600`"; ImageUri = '$image' } } | Start-DreaminaVideo"
            "'SUBMITTED ' + `$jobs.Count"
            '$jobs | Wait-DreaminaJob'
        )
        $start = [System.Diagnostics.ProcessStartInfo]::new((Get-PwshPath))
        foreach ($argument in '-NoProfile', '-File', $script) { $start.ArgumentList.Add($argument) }
        $start.RedirectStandardOutput = $true
        $start.Environment['PSModulePath'] = (Get-TestModulePath) + [System.IO.Path]::PathSeparator + $env:PSModulePath
        foreach ($name in $first.Keys) { $start.Environment[$name] = [string]$first[$name] }
        $runner = [System.Diagnostics.Process]::Start($start)
        try {
            $line = $runner.StandardOutput.ReadLineAsync()
            $line.Wait(60000) | Should -BeTrue -Because 'the first runner should submit within a minute'
            $line.Result | Should -Be 'SUBMITTED 3'
        }
        finally { $runner.Kill($true); $null = $runner.WaitForExit(10000) }

        $second = Get-RunnerEnvironment 'second'
        $save = "Connect-Dreamina -JournalUri '$table' | Out-Null; Get-DreaminaJob | Wait-DreaminaJob -PollInterval 0.2 | Save-DreaminaVideo -Directory '$TestDrive/clips' | ForEach-Object Name"
        # The jobs run 6 s (600 emulator seconds at 0.01).
        $run = Invoke-TestPwsh -Script $save -Environment $second -TimeoutSec 120
        $run.ExitCode | Should -Be 0 -Because $run.Errors
        @($run.Output.Trim() -split '\r?\n' | Where-Object { $_ -like '*.mp4' }).Count | Should -Be 3
        Get-ChildItem $first.HOME, $second.HOME -Recurse -Filter '*.jsonl' | Should -BeNullOrEmpty
    }
}

Describe 'Two runners at once against one daily limit' {
    It 'submit 4 jobs of 0.25 USD in all under a 1.00 USD limit' {
        $table = New-TestTable $azurite
        $before = Get-Submits
        $script = "Connect-Dreamina -JournalUri '$table' -DailySpendLimit 1.00 | Out-Null; 1..3 | ForEach-Object { [pscustomobject]@{ Prompt = `"shared `$PID `$_`"; ImageUri = '$image' } } | Start-DreaminaVideo -ThrottleLimit 1 -ErrorAction SilentlyContinue | ForEach-Object RequestId"
        $runs = 'a', 'b' | ForEach-Object {
            Start-ThreadJob -ScriptBlock { param($Script, $Environment) Invoke-TestPwsh -Script $Script -Environment $Environment -TimeoutSec 120 } -ArgumentList $script, (Get-RunnerEnvironment $_) `
                -InitializationScript ([scriptblock]::Create("Import-Module '$PSScriptRoot/Dreamina.TestHelpers.psm1'"))
        }
        $results = $runs | Wait-Job | Receive-Job
        $runs | Remove-Job
        (Get-Submits) - $before | Should -Be 4
        @($results.Output -split '\r?\n' | Where-Object { $_.Trim() }).Count | Should -Be 4
    }
}

Describe 'A cancelled job in a table journal' {
    It 'gives its charge back, once, so the day''s limit lets another job through' {
        $table = New-TestTable $azurite
        Connect-TestEmulator $emulator -JournalPath "$TestDrive/unused.jsonl"
        Connect-Dreamina -JournalUri $table -DailySpendLimit 0.75 | Out-Null
        try {
            # Two run at once in the emulator; the third waits in its queue, and can be cancelled.
            $jobs = 1..3 | ForEach-Object { [pscustomobject]@{ Prompt = "long $_ #run=6000"; ImageUri = $image } } | Start-DreaminaVideo -ThrottleLimit 1
            $queued = $jobs | Get-DreaminaStatus | Where-Object Status -EQ Queued | Select-Object -First 1
            $queued | Should -Not -BeNullOrEmpty
            $null = [pscustomobject]@{ Prompt = 'refused'; ImageUri = $image } | Start-DreaminaVideo -ErrorVariable refused -ErrorAction SilentlyContinue
            $refused[0].FullyQualifiedErrorId | Should -Be 'DreaminaSpendLimitReached,Dreamina.Commands.StartDreaminaVideoCommand'
            $cancelled = $queued | Stop-DreaminaJob -PassThru
            $cancelled.Status | Should -Be 'Cancelled'
            $queued | Get-DreaminaStatus | Out-Null # recorded Cancelled again: not given back twice
            $fits = [pscustomobject]@{ Prompt = 'fits now'; ImageUri = $image } | Start-DreaminaVideo
            $fits.RequestId | Should -Not -BeNullOrEmpty
            $null = [pscustomobject]@{ Prompt = 'refused again'; ImageUri = $image } | Start-DreaminaVideo -ErrorVariable again -ErrorAction SilentlyContinue
            $again[0].FullyQualifiedErrorId | Should -Be 'DreaminaSpendLimitReached,Dreamina.Commands.StartDreaminaVideoCommand'
        }
        finally { Connect-Dreamina -DailySpendLimit 0 | Out-Null }
    }
}

Describe 'The SAS, checked at Connect and kept secret' {
    It 'a read-only SAS fails at Connect and says which rights are missing' {
        $table = New-TestTable $azurite -Permissions 'Read'
        { Connect-Dreamina -JournalUri $table } | Should -Throw -ErrorId 'DreaminaJournalStoreInvalid,Dreamina.Commands.ConnectDreaminaCommand'
        try { Connect-Dreamina -JournalUri $table } catch { $message = $_.Exception.Message }
        $message | Should -Match 'does not grant add \(a\), update \(u\), delete \(d\)'
        $message | Should -Not -Match ([regex]::Escape((Get-Signature $table)))
    }

    It 'an expired SAS fails at Connect and says when it expired' {
        $table = New-TestTable $azurite -Expires ([datetimeoffset]::UtcNow.AddMinutes(-5))
        try { Connect-Dreamina -JournalUri $table } catch { $failure = $_ }
        $failure.FullyQualifiedErrorId | Should -Be 'DreaminaJournalStoreInvalid,Dreamina.Commands.ConnectDreaminaCommand'
        $failure.Exception.Message | Should -Match 'expired'
    }

    It 'a table that does not exist fails at Connect and says so' {
        $table = New-TestTable $azurite -NotCreated
        try { Connect-Dreamina -JournalUri $table } catch { $failure = $_ }
        $failure.FullyQualifiedErrorId | Should -Be 'DreaminaJournalUnavailable,Dreamina.Commands.ConnectDreaminaCommand'
        $failure.Exception.Message | Should -Match 'does not exist'
    }

    It 'appears in no output, verbose or debug text, error or journal entry; the connection shows the table''s address' {
        $table = New-TestTable $azurite
        $signature = Get-Signature $table
        $script = "Connect-Dreamina -JournalUri '$table' -Verbose -Debug; Start-DreaminaVideo 'secret keeping' '$image' -Verbose -Debug | Wait-DreaminaJob -PollInterval 0.2 -Verbose -Debug | Save-DreaminaVideo -Directory '$TestDrive/secret' -Verbose -Debug; Get-DreaminaJob | Format-List * | Out-String; Get-DreaminaConnection | Format-List | Out-String; Start-DreaminaVideo '' '$image'"
        $run = Invoke-TestPwsh -Script "`$DebugPreference = 'Continue'; $script" -Environment (Get-RunnerEnvironment 'secret')
        "$($run.Output)$($run.Errors)" | Should -Not -Match ([regex]::Escape($signature))
        $run.Output | Should -Match ([regex]::Escape(([uri]$table).GetLeftPart('Path')))
        $run.Output | Should -Match '\.mp4'
    }
}

Describe 'Moving a local journal into a table and back' {
    It 'Copy-DreaminaJob takes the jobs in flight along, and a runner on the table finishes them' {
        $table = New-TestTable $azurite
        Connect-TestEmulator $emulator -JournalPath "$TestDrive/local.jsonl"
        $null = 1..2 | ForEach-Object { [pscustomobject]@{ Prompt = "moving $_ #run=300"; ImageUri = $image } } | Start-DreaminaVideo
        $copied = Get-DreaminaJob | Copy-DreaminaJob -JournalUri $table -PassThru
        @($copied).Count | Should -Be 2
        Connect-Dreamina -JournalUri $table | Out-Null
        $done = Get-DreaminaJob | Wait-DreaminaJob -PollInterval 0.2 -Timeout 60
        @($done).Count | Should -Be 2
        Get-DreaminaJob | Copy-DreaminaJob -JournalPath "$TestDrive/back.jsonl"
        Connect-Dreamina -JournalPath "$TestDrive/back.jsonl" | Out-Null
        (Get-DreaminaJob).Status | Should -Be 'Completed', 'Completed'
    }
}

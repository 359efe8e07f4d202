#Requires -Version 7.4
<#
.SYNOPSIS
    Builds, tests and demonstrates the Dreamina module.
.DESCRIPTION
    -Task Build  stages a loadable module at out/Dreamina/<version>/ (manifest, DLL, format file, help) and packs
                 the emulator as a .NET tool into out/packages/.
    -Task Test   builds, then runs both suites: xUnit (dotnet test) and Pester 5.9.1 (restored into .tools/, run
                 in a fresh pwsh that imports the staged module), and ends with one line counting both. Exits 1
                 when any test failed.
    -Task Demo   builds, starts the local RunComfy emulator on free ports, imports the staged module and runs the
                 README pipeline end to end, printing the saved file.

    On a machine with only the .NET SDK: dotnet tool restore && dotnet pwsh ./build.ps1 -Task Test
.EXAMPLE
    dotnet tool restore && dotnet pwsh ./build.ps1 -Task Demo
.EXAMPLE
    ./build.ps1 -Task Test -ExcludeTag Slow
#>
[CmdletBinding()]
param(
    [ValidateSet('Build', 'Test', 'Demo')]
    [string] $Task = 'Build',

    [ValidateSet('Debug', 'Release')]
    [string] $Configuration = 'Release',

    # Demo: the emulator's API port; 0 (the default) picks a free one.
    [ValidateRange(0, 65535)]
    [int] $Port = 0,

    # Test: Pester tags to leave out. 'Live' tests spend real credits and run only when asked for.
    [string[]] $ExcludeTag = @('Live'),

    # Use what an earlier build staged.
    [switch] $NoBuild
)

$ErrorActionPreference = 'Stop'
$solution = Join-Path $PSScriptRoot 'Dreamina.Module.sln'
$results = Join-Path $PSScriptRoot 'out/test-results'
Import-Module (Join-Path $PSScriptRoot 'src/Dreamina.Emulator/Emulator.psm1') -Force

# A simple function (no param block), so that dotnet's own switches such as -o pass through untouched.
function Invoke-Dotnet {
    # To the console, not the pipeline: callers return their own objects.
    & dotnet @args | Out-Host
    if ($LASTEXITCODE -ne 0) { throw "dotnet $($args -join ' ') failed with exit code $LASTEXITCODE." }
}

# Runs a restore quietly; on failure, one line saying what failed and what to do.
function Invoke-Restore {
    param([string] $What, [string] $Advice, [scriptblock] $Command)
    $output = & $Command 2>&1
    if ($LASTEXITCODE -ne 0) {
        $reason = ($output | Where-Object { "$_" -match 'error|unable|fail|ERR!' } | Select-Object -First 1) ?? ($output | Select-Object -Last 1)
        throw "Could not restore $What ($("$reason".Trim())). $Advice"
    }
}

function Build-Module {
    if (-not $NoBuild) {
        Invoke-Dotnet build $solution -c $Configuration
        Invoke-Dotnet pack (Join-Path $PSScriptRoot 'src/Dreamina.Emulator') -c $Configuration --no-build -o (Join-Path $PSScriptRoot 'out/packages')
    }
    $manifest = Get-ChildItem (Join-Path $PSScriptRoot 'out/Dreamina/*/Dreamina.psd1') | Select-Object -First 1
    if (-not $manifest) { throw 'The build did not stage out/Dreamina/<version>/Dreamina.psd1.' }
    $manifest
}

function Get-EmulatorPath { Join-Path $PSScriptRoot "src/Dreamina.Emulator/bin/$Configuration/net10.0/Dreamina.Emulator.dll" }

function Restore-Pester {
    Invoke-Restore 'Pester 5.9.1 from NuGet' 'Check the network and the NuGet sources in nuget.config, then run again.' {
        dotnet restore (Join-Path $PSScriptRoot 'tests/Pester/Pester.Restore.csproj') --verbosity quiet
    }
    Join-Path $PSScriptRoot '.tools/packages/pester/5.9.1/tools/Pester.psd1'
}

function Install-Azurite {
    $folder = Join-Path $PSScriptRoot 'tests/Azurite'
    $installed = Join-Path $folder 'node_modules/.package-lock.json'
    $lock = Join-Path $folder 'package-lock.json'
    if ((Test-Path $installed) -and (Get-Item $installed -Force).LastWriteTimeUtc -ge (Get-Item $lock).LastWriteTimeUtc) { return }
    if (-not (Get-Command npm -ErrorAction SilentlyContinue)) {
        throw 'The upload tests need Azurite, an npm package, but npm is not installed. Install Node.js 20 or later, then run again.'
    }
    Write-Host 'Installing Azurite (npm ci in tests/Azurite)...'
    Invoke-Restore 'Azurite from the npm registry' 'Check the network and the npm registry setting (npm config get registry), then run again.' {
        npm ci --prefix $folder --no-audit --no-fund --loglevel error
    }
}

# The counts of one suite: from the TRX file dotnet test writes, or the JSON the Pester runner writes.
function Read-XunitCounts([string] $Trx) {
    if (-not (Test-Path $Trx)) { return $null }
    $counters = ([xml](Get-Content $Trx -Raw)).TestRun.ResultSummary.Counters
    # The test platform counts a skipped test as not executed, without a count of its own.
    [pscustomobject]@{ Passed = [int]$counters.passed; Failed = [int]$counters.failed + [int]$counters.error + [int]$counters.timeout + [int]$counters.aborted; Skipped = [int]$counters.total - [int]$counters.executed }
}

function Invoke-Tests {
    $manifest = Build-Module
    $pester = Restore-Pester
    Install-Azurite
    Remove-Item $results -Recurse -Force -ErrorAction SilentlyContinue
    $suites = [ordered]@{}

    $clock = [System.Diagnostics.Stopwatch]::StartNew()
    & dotnet test $solution -c $Configuration --no-build --logger 'trx;LogFileName=xunit.trx' --results-directory $results | Out-Host
    $suites.xUnit = Read-XunitCounts (Join-Path $results 'xunit.trx')
    Write-Host ("xUnit finished in {0:0} s." -f $clock.Elapsed.TotalSeconds)

    $clock.Restart()
    $summary = Join-Path $results 'pester.json'
    $runner = Join-Path $PSScriptRoot 'tests/Pester/Invoke-PesterSuite.ps1'
    & (Join-Path $PSHOME ($IsWindows ? 'pwsh.exe' : 'pwsh')) -NoProfile -NonInteractive -File $runner `
        -PesterPath $pester -Manifest $manifest.FullName -Configuration $Configuration -ExcludeTag $ExcludeTag -SummaryPath $summary | Out-Host
    $suites.Pester = if (Test-Path $summary) { Get-Content $summary -Raw | ConvertFrom-Json } else { $null }
    Write-Host ("Pester finished in {0:0} s." -f $clock.Elapsed.TotalSeconds)

    $total = [pscustomobject]@{ Passed = 0; Failed = 0; Skipped = 0 }
    foreach ($name in $suites.Keys) {
        $counts = $suites[$name]
        if ($null -eq $counts) {
            Write-Host "$name did not report its results: counted as one failure."
            $total.Failed++
            continue
        }
        Write-Host ("{0}: {1} passed, {2} failed, {3} skipped" -f $name, $counts.Passed, $counts.Failed, $counts.Skipped)
        $total.Passed += $counts.Passed
        $total.Failed += $counts.Failed
        $total.Skipped += $counts.Skipped
    }
    Write-Host ("{0} passed, {1} failed, {2} skipped" -f $total.Passed, $total.Failed, $total.Skipped)
    $total.Failed -eq 0
}

function Invoke-Demo {
    $manifest = Build-Module
    $emulator = Start-DreaminaEmulator -Path (Get-EmulatorPath) -Port $Port -ArgumentList '--time-scale', '0.05' -Quiet
    $journal = Join-Path ([System.IO.Path]::GetTempPath()) "dreamina-demo-$PID.jsonl"
    try {
        Write-Host "Emulator: $($emulator.BaseUri) (storage $($emulator.StorageUri))"
        Import-Module $manifest.FullName -Force
        $token = ConvertTo-SecureString $emulator.Token -AsPlainText -Force
        Connect-Dreamina -BaseUri $emulator.BaseUri -AccountUri $emulator.AccountUri -Token $token -JournalPath $journal | Out-Null
        $clips = Join-Path $PSScriptRoot 'out/demo-clips'
        Write-Host 'Start-DreaminaVideo | Wait-DreaminaJob | Save-DreaminaVideo, against the emulator:'
        Start-DreaminaVideo -Prompt 'slow dolly-in, golden hour' -ImageUri "$($emulator.StorageUri)samples/street.jpg" |
            Wait-DreaminaJob | Save-DreaminaVideo -Directory $clips -Force | Out-Host
    }
    finally {
        if (Get-Module Dreamina) { Disconnect-Dreamina }
        Remove-Item $journal, "$journal.lock" -ErrorAction SilentlyContinue
        $emulator | Stop-DreaminaEmulator
    }
}

switch ($Task) {
    'Build' {
        $manifest = Build-Module
        Write-Host "Staged module: $($manifest.Directory)"
        Write-Host "Import it with: Import-Module '$($manifest.FullName)'"
    }
    'Test' { if (-not (Invoke-Tests)) { exit 1 } }
    'Demo' { Invoke-Demo }
}

#Requires -Version 7.0
<#
.SYNOPSIS
    Builds, tests and demonstrates the Dreamina module.
.DESCRIPTION
    -Task Build  stages a loadable module at out/Dreamina/<version>/ (manifest, DLLs, format file, help).
    -Task Test   builds, runs the xUnit suite (dotnet test) and, where Pester 5 is installed, the Pester suite.
    -Task Demo   builds, starts the local RunComfy emulator, imports the staged module and runs the README
                 pipeline end to end, printing the saved file.
.EXAMPLE
    ./build.ps1 -Task Demo
#>
[CmdletBinding()]
param(
    [ValidateSet('Build', 'Test', 'Demo')]
    [string] $Task = 'Build',

    [ValidateSet('Debug', 'Release')]
    [string] $Configuration = 'Release'
)

$ErrorActionPreference = 'Stop'
$solution = Join-Path $PSScriptRoot 'Dreamina.Module.sln'

function Invoke-Dotnet {
    param([Parameter(ValueFromRemainingArguments)] [string[]] $Arguments)
    # To the console, not the pipeline: callers return their own objects.
    & dotnet @Arguments | Out-Host
    if ($LASTEXITCODE -ne 0) { throw "dotnet $($Arguments -join ' ') failed with exit code $LASTEXITCODE." }
}

function Build-Module {
    Invoke-Dotnet build $solution -c $Configuration
    $manifest = Get-ChildItem (Join-Path $PSScriptRoot 'out/Dreamina/*/Dreamina.psd1') | Select-Object -First 1
    if (-not $manifest) { throw 'The build did not stage out/Dreamina/<version>/Dreamina.psd1.' }
    $manifest
}

function Start-Emulator {
    param([string] $ApiUrl, [string] $StorageUrl)
    $dll = Join-Path $PSScriptRoot "src/Dreamina.Emulator/bin/$Configuration/net10.0/Dreamina.Emulator.dll"
    $arguments = "`"$dll`" --urls $ApiUrl --storage-urls $StorageUrl --time-scale 0.05"
    $process = Start-Process dotnet -ArgumentList $arguments -PassThru -NoNewWindow -RedirectStandardOutput (New-TemporaryFile).FullName
    $deadline = (Get-Date).AddSeconds(30)
    while ($true) {
        try {
            $null = Invoke-RestMethod "$ApiUrl/_emulator/stats" -TimeoutSec 2
            return $process
        }
        catch {
            if ($process.HasExited -or (Get-Date) -gt $deadline) { throw "The emulator did not start at $ApiUrl." }
            Start-Sleep -Milliseconds 200
        }
    }
}

switch ($Task) {
    'Build' {
        $manifest = Build-Module
        Write-Host "Staged module: $($manifest.Directory)"
        Write-Host "Import it with: Import-Module '$($manifest.FullName)'"
    }
    'Test' {
        $manifest = Build-Module
        Invoke-Dotnet test $solution -c $Configuration --no-build
        $pester = Get-Module -ListAvailable Pester | Where-Object Version -GE '5.0.0' | Sort-Object Version -Descending | Select-Object -First 1
        if (-not $pester) {
            Write-Warning 'Pester 5 is not installed, so only the xUnit suite ran. Install-Module Pester -MinimumVersion 5.0 to run both.'
            return
        }
        Import-Module $pester
        $config = New-PesterConfiguration
        $config.Run.Throw = $true
        $config.Output.Verbosity = 'Detailed'
        $config.Run.Container = New-PesterContainer -Path (Join-Path $PSScriptRoot 'tests/Pester/Dreamina.Tests.ps1') -Data @{ Manifest = $manifest.FullName; Configuration = $Configuration }
        Invoke-Pester -Configuration $config
    }
    'Demo' {
        $manifest = Build-Module
        $api = 'http://127.0.0.1:5080'
        $emulator = Start-Emulator -ApiUrl $api -StorageUrl 'http://127.0.0.1:5081'
        try {
            Import-Module $manifest.FullName -Force
            $token = ConvertTo-SecureString 'emulator-token' -AsPlainText -Force
            $journal = Join-Path ([System.IO.Path]::GetTempPath()) "dreamina-demo-$PID.jsonl"
            Connect-Dreamina -BaseUri $api -Token $token -JournalPath $journal | Out-Null
            $clips = Join-Path $PSScriptRoot 'out/demo-clips'
            Write-Host 'Start-DreaminaVideo | Wait-DreaminaJob | Save-DreaminaVideo, against the emulator:'
            $saved = Start-DreaminaVideo -Prompt 'slow dolly-in, golden hour' -ImageUri 'http://127.0.0.1:5081/samples/street.jpg' |
                Wait-DreaminaJob | Save-DreaminaVideo -Directory $clips -Force
            $saved | Format-Table Name, Length, FullName -AutoSize | Out-String | Write-Host
            Remove-Item $journal, "$journal.lock" -ErrorAction SilentlyContinue
        }
        finally {
            Stop-Process -Id $emulator.Id -ErrorAction SilentlyContinue
        }
    }
}

# Starts and stops the RunComfy emulator in a process of its own, on free loopback ports unless told otherwise.
# Used by build.ps1 (-Task Demo) and the Pester suite; from a clone, after ./build.ps1:
#   Import-Module ./src/Dreamina.Emulator/Emulator.psm1
#   $emulator = Start-DreaminaEmulator        # prints the Connect-Dreamina line to paste
#   $emulator | Stop-DreaminaEmulator

function Start-DreaminaEmulator {
    <#
    .SYNOPSIS
        Starts the emulator in the background, prints its addresses and the Connect-Dreamina line to use, and
        returns them once every origin answers.
    .DESCRIPTION
        The emulator runs in a session of its own, so Ctrl+C in this terminal (stopping a Wait-DreaminaJob, say)
        never reaches it: stop it with Stop-DreaminaEmulator. The Connect-Dreamina line it prints points at a
        journal of this emulator's own, so its jobs never land in your real journal or count toward a real limit.
    #>
    [CmdletBinding()]
    param(
        # Dreamina.Emulator.dll, or the dreamina-emulator command; by default the installed .NET tool, else the
        # build beside this file.
        [string] $Path = (Find-DreaminaEmulator),
        # The API port; 0 picks a free one. The storage and account origins always take free ports.
        [ValidateRange(0, 65535)] [int] $Port = 0,
        # More emulator options, such as '--time-scale', '0.01' (see --help).
        [string[]] $ArgumentList = @(),
        [ValidateRange(1, 600)] [int] $StartTimeoutSec = 30,
        # Print nothing (scripts and tests read the returned object instead).
        [switch] $Quiet
    )
    $log = Join-Path ([System.IO.Path]::GetTempPath()) "dreamina-emulator-$([guid]::NewGuid().ToString('N')).log"
    $options = @('--urls', "http://127.0.0.1:$Port", '--storage-urls', 'http://127.0.0.1:0', '--account-urls', 'http://127.0.0.1:0', '--detach') + $ArgumentList
    $quoted = $options | ForEach-Object { if ($_ -match '\s') { '"{0}"' -f $_ } else { $_ } }
    $command = if ($Path -like '*.dll') { @('dotnet', "`"$Path`"") } else { @($Path) }
    # A shell started in the background (nohup, '&' in a script, some CI runners) passes SIGINT on ignored; the
    # emulator gets its signals back, so that it stops on SIGINT and SIGTERM however this PowerShell was started.
    if (-not $IsWindows -and (Test-DefaultSignalOption)) { $command = @('env', '--default-signal=INT,TERM,QUIT') + $command }
    $start = @{ FilePath = $command[0]; ArgumentList = @($command | Select-Object -Skip 1) + $quoted }
    $process = Start-Process @start -PassThru -RedirectStandardOutput $log -RedirectStandardError "$log.err"
    $deadline = [datetime]::UtcNow.AddSeconds($StartTimeoutSec)
    while ($true) {
        $text = if (Test-Path $log) { Get-Content $log -Raw } else { '' }
        # The last line of its banner: every line before it (the origins, the token) is whole by then.
        if ($text -match 'Press Ctrl\+C to stop') {
            $api = [uri]($text | Select-String 'listening on (\S+)').Matches[0].Groups[1].Value
            $storage = [uri]($text | Select-String 'Storage origin: (\S+)').Matches[0].Groups[1].Value
            $account = [uri]($text | Select-String 'Account origin: (\S+)').Matches[0].Groups[1].Value
            $token = ($text | Select-String 'Token: (\S+)').Matches[0].Groups[1].Value
            $journal = Join-Path ([System.IO.Path]::GetTempPath()) "dreamina-emulator-$($process.Id).jsonl"
            $connect = "Connect-Dreamina -BaseUri $api -AccountUri $account -Token (ConvertTo-SecureString '$token' -AsPlainText -Force) -JournalPath '$journal'"
            if (-not $Quiet) {
                Write-Host "RunComfy emulator started (process $($process.Id)):"
                Write-Host "  API      $api"
                Write-Host "  Storage  $storage (sample images under samples/)"
                Write-Host "  Account  $account"
                Write-Host 'Connect to it, with a journal of its own (the ConnectCommand property):'
                Write-Host $connect
                Write-Host 'Stop it by piping what this returned to Stop-DreaminaEmulator.'
            }
            return [pscustomobject]@{
                PSTypeName     = 'Dreamina.EmulatorProcess'
                Process        = $process
                BaseUri        = $api
                StorageUri     = $storage
                AccountUri     = $account
                Token          = $token
                JournalPath    = $journal
                ConnectCommand = $connect
                LogPath        = $log
            }
        }
        if ($process.HasExited) {
            throw "The emulator exited with code $($process.ExitCode) before it listened: $text $(Get-Content "$log.err" -Raw -ErrorAction SilentlyContinue)"
        }
        if ([datetime]::UtcNow -gt $deadline) {
            Stop-Process -Id $process.Id -ErrorAction SilentlyContinue
            throw "The emulator did not start listening within $StartTimeoutSec s: $text"
        }
        Start-Sleep -Milliseconds 100
    }
}

# The installed .NET tool, else the newest build beside this file.
function Find-DreaminaEmulator {
    $tool = Get-Command dreamina-emulator -CommandType Application -ErrorAction SilentlyContinue | Select-Object -First 1
    if ($tool) { return $tool.Source }
    $built = Get-ChildItem (Join-Path $PSScriptRoot 'bin/*/net10.0/Dreamina.Emulator.dll') -ErrorAction SilentlyContinue | Sort-Object LastWriteTimeUtc -Descending | Select-Object -First 1
    if ($built) { return $built.FullName }
    throw 'The emulator was not found: neither the dreamina-emulator tool on the PATH nor a build beside Emulator.psm1. Run ./build.ps1 in the clone, or install the tool (dotnet tool install --global Dreamina.Emulator --add-source out/packages), or give -Path.'
}

# Whether env can reset signal dispositions (GNU coreutils 8.31 and later).
function Test-DefaultSignalOption {
    if ($null -eq $script:DefaultSignalOption) {
        $script:DefaultSignalOption = [bool](Get-Command env -CommandType Application -ErrorAction SilentlyContinue) -and
            $(& env --default-signal=INT true 2>$null; $LASTEXITCODE -eq 0)
    }
    $script:DefaultSignalOption
}

function Stop-DreaminaEmulator {
    <#
    .SYNOPSIS
        Stops the emulator as a service manager would (SIGTERM), and kills it if it has not stopped within 5 s.
    #>
    [CmdletBinding()]
    param([Parameter(Mandatory, ValueFromPipeline)] $Emulator)
    process {
        $process = $Emulator.Process
        if (-not $process.HasExited) {
            if ($IsWindows) { Stop-Process -Id $process.Id -ErrorAction SilentlyContinue }
            else { & kill -s TERM $process.Id }
            if (-not $process.WaitForExit(5000)) { Stop-Process -Id $process.Id -Force -ErrorAction SilentlyContinue }
        }
        Remove-Item -LiteralPath $Emulator.LogPath, "$($Emulator.LogPath).err" -ErrorAction SilentlyContinue
    }
}

Export-ModuleMember -Function Start-DreaminaEmulator, Stop-DreaminaEmulator

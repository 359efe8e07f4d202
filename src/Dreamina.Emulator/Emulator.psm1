# Starts and stops the RunComfy emulator in a process of its own, on free loopback ports unless told otherwise.
# Used by build.ps1 (-Task Demo) and the Pester suite; handy from a clone too:
#   Import-Module ./src/Dreamina.Emulator/Emulator.psm1
#   $emulator = Start-DreaminaEmulator -Path ./src/Dreamina.Emulator/bin/Release/net10.0/Dreamina.Emulator.dll

function Start-DreaminaEmulator {
    <#
    .SYNOPSIS
        Starts the emulator and returns its addresses once both origins answer.
    #>
    [CmdletBinding()]
    param(
        # Dreamina.Emulator.dll, or the dreamina-emulator command of the installed .NET tool.
        [Parameter(Mandatory)] [string] $Path,
        # The API port; 0 picks a free one. The storage and account origins always take free ports.
        [ValidateRange(0, 65535)] [int] $Port = 0,
        # More emulator options, such as '--time-scale', '0.01' (see --help).
        [string[]] $ArgumentList = @(),
        [ValidateRange(1, 600)] [int] $StartTimeoutSec = 30
    )
    $log = Join-Path ([System.IO.Path]::GetTempPath()) "dreamina-emulator-$([guid]::NewGuid().ToString('N')).log"
    $options = @('--urls', "http://127.0.0.1:$Port", '--storage-urls', 'http://127.0.0.1:0', '--account-urls', 'http://127.0.0.1:0') + $ArgumentList
    $quoted = $options | ForEach-Object { if ($_ -match '\s') { '"{0}"' -f $_ } else { $_ } }
    $start = if ($Path -like '*.dll') {
        @{ FilePath = 'dotnet'; ArgumentList = @("`"$Path`"") + $quoted }
    }
    else {
        @{ FilePath = $Path; ArgumentList = $quoted }
    }
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
            return [pscustomobject]@{
                PSTypeName = 'Dreamina.EmulatorProcess'
                Process    = $process
                BaseUri    = $api
                StorageUri = $storage
                AccountUri = $account
                Token      = $token
                LogPath    = $log
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

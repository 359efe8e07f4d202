#Requires -Modules Dreamina
<#
.SYNOPSIS
    An unattended nightly run: every CSV row becomes a video, a log says what happened, the exit code says
    whether all went well.
.DESCRIPTION
    Meant for a scheduler (cron, Task Scheduler) with the token in $env:RUNCOMFY_TOKEN. Jobs left unfinished by
    an earlier run are picked up from the journal first, so no paid job is forgotten. Jobs still running at the
    time limit stay in the journal for the next run. Exits with 1 when any row or job failed.
.EXAMPLE
    pwsh -NoProfile -File ./examples/Invoke-NightlyDreaminaRun.ps1 -CsvPath ./tonight.csv -Directory /srv/clips -LogPath /var/log/dreamina.log
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory)] [string] $CsvPath,
    [Parameter(Mandatory)] [string] $Directory,
    [Parameter(Mandatory)] [string] $LogPath,
    [int] $TimeoutMinutes = 120
)

function Write-Log([string] $Message) {
    Add-Content -Path $LogPath -Value ('{0:u} {1}' -f (Get-Date), $Message)
}

$problems = @()
Write-Log "Nightly run: $CsvPath -> $Directory"
$leftovers = @(Get-DreaminaJob -Status Queued, Running)
if ($leftovers.Count -gt 0) { Write-Log "Picking up $($leftovers.Count) unfinished job(s) from the journal." }

$submitted = @(Import-Csv $CsvPath | Start-DreaminaVideo -ErrorAction SilentlyContinue -ErrorVariable +problems)
Write-Log "Submitted $($submitted.Count) job(s)."

$saved = @($leftovers + $submitted |
    Wait-DreaminaJob -Timeout ($TimeoutMinutes * 60) -ErrorAction SilentlyContinue -ErrorVariable +problems |
    Save-DreaminaVideo -Directory $Directory -ErrorAction SilentlyContinue -ErrorVariable +problems)

foreach ($file in $saved) { Write-Log "Saved $($file.FullName)" }
foreach ($problem in $problems) { Write-Log "ERROR $($problem.FullyQualifiedErrorId): $($problem.Exception.Message)" }
$unfinished = @(Get-DreaminaJob -Status Queued, Running)
if ($unfinished.Count -gt 0) { Write-Log "Still running at the time limit, left for the next run: $($unfinished.RequestId -join ', ')" }
Write-Log "Done: $($saved.Count) saved, $($problems.Count) problem(s)."
if ($problems.Count -gt 0) { exit 1 }

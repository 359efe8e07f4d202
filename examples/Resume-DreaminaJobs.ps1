#Requires -Modules Dreamina
<#
.SYNOPSIS
    Finishes the jobs of a session that crashed or was closed.
.DESCRIPTION
    Every submitted job is in the journal. This waits for the ones still queued or running, and saves their
    videos together with those of jobs that finished but were never saved.
.EXAMPLE
    ./examples/Resume-DreaminaJobs.ps1 -Directory ./clips
#>
[CmdletBinding()]
param(
    [string] $Directory = './clips'
)

$unfinished = @(Get-DreaminaJob -Status Queued, Running, Unknown)
$unsaved = @(Get-DreaminaJob -Status Completed | Where-Object { -not $_.SavedTo })
Write-Verbose "$($unfinished.Count) job(s) to wait for, $($unsaved.Count) finished but not saved."
@($unsaved) + @($unfinished | Wait-DreaminaJob) | Save-DreaminaVideo -Directory $Directory

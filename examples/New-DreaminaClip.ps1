#Requires -Modules Dreamina
<#
.SYNOPSIS
    Turns one image into one saved video.
.DESCRIPTION
    Submits the image and prompt, waits for the job and saves the video as <request id>.mp4 in -Directory.
    Uses the token from Connect-Dreamina, $env:RUNCOMFY_TOKEN or 'runcomfy login'.
.EXAMPLE
    ./examples/New-DreaminaClip.ps1 -Prompt 'slow dolly-in, golden hour' -ImageUri https://example.com/street.jpg
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory)] [string] $Prompt,
    [Parameter(Mandatory)] [string] $ImageUri,
    [ValidateSet(5, 10)] [int] $Duration = 5,
    [string] $Directory = './clips'
)

$ErrorActionPreference = 'Stop'
Start-DreaminaVideo -Prompt $Prompt -ImageUri $ImageUri -Duration $Duration |
    Wait-DreaminaJob |
    Save-DreaminaVideo -Directory $Directory
